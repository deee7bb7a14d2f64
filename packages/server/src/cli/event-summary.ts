/** What a developer wants to see of one callback body at a glance. */
export interface EventSummary {
  /** The wire `event_type`, when it is an integer. */
  eventType: number | undefined;
  /** `push`, `interruption`, `record-file`… or `event <n>` for types this CLI does not know. */
  name: string;
  stream: string | undefined;
  /** Key facts in display order (sequence, errcode, file…). */
  facts: Record<string, string | number>;
}

const NAMES: Readonly<Record<number, string>> = {
  0: "interruption",
  1: "push",
  100: "record-file",
  200: "snapshot",
  314: "relay",
  315: "audio-moderation",
  317: "porn-detection",
  321: "push-exception",
  332: "record-status",
  341: "record-exception",
};

const text = (value: unknown): string | undefined =>
  typeof value === "string" || typeof value === "number" ? String(value) : undefined;

/**
 * Summarises a body parsed from JSON, verified or not: a rejected callback is described the same
 * way, so the developer sees what was refused.
 */
export function summarizeEvent(body: unknown): EventSummary {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { eventType: undefined, name: "not-a-callback", stream: undefined, facts: {} };
  const r = body as Record<string, unknown>;
  const eventType = Number.isInteger(Number(r.event_type)) ? Number(r.event_type) : undefined;
  const facts: Record<string, string | number> = {};
  const add = (label: string, value: unknown) => {
    const shown = text(value);
    if (shown !== undefined && shown !== "") facts[label] = shown;
  };
  switch (eventType) {
    case 1:
      add("seq", r.sequence);
      add("from", r.user_ip);
      break;
    case 0:
      add("seq", r.sequence);
      add("errcode", r.errcode);
      add("errmsg", r.errmsg);
      add("duration_ms", r.push_duration);
      break;
    case 100:
      add("file", r.video_url);
      add("format", r.file_format);
      add("duration_s", r.duration);
      add("bytes", r.file_size);
      break;
    case 200:
      add("file", r.pic_full_url ?? r.pic_url);
      break;
    case 317:
      add("suggestion", r.suggestion);
      add("label", r.label);
      add("score", Array.isArray(r.score) ? r.score[0] : r.score);
      add("img", r.img);
      break;
    case 332:
      add("record_event", r.record_event);
      break;
    case 341:
      add("level", r.exception_level);
      break;
    case 314:
      add("callback_event", r.callback_event);
      break;
    case 315:
      add("suggestion", r.suggestion);
      add("label", r.label);
      break;
  }
  return {
    eventType,
    name: eventType === undefined ? "no-event-type" : (NAMES[eventType] ?? `event-${eventType}`),
    stream: text(r.stream_id) ?? text(r.streamId) ?? text(r.channel_id),
    facts,
  };
}

/** The facts as `label value` pairs on one line; errmsg is quoted since it has spaces. */
export function formatFacts(facts: Record<string, string | number>): string {
  return Object.entries(facts)
    .map(([label, value]) => (label === "errmsg" ? `"${value}"` : `${label} ${value}`))
    .join("  ");
}

/** The first bytes of a reply body as one printable line. */
export function snippet(body: Uint8Array, maxChars = 120): string {
  const flat = Buffer.from(body).toString("utf8").replace(/\s+/g, " ").trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars)}…` : flat;
}

import { EventType } from "@onair/callbacks";

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

type Body = Record<string, unknown>;
/** A fact's label and the body field it shows (or how to find it). */
type Fact = readonly [label: string, field: string | ((body: Body) => unknown)];

/** Each known event type's CLI name and key facts, in display order. */
const EVENTS: Readonly<Record<number, { name: string; facts: readonly Fact[] }>> = {
  [EventType.Push]: {
    name: "push",
    facts: [
      ["seq", "sequence"],
      ["from", "user_ip"],
    ],
  },
  [EventType.Interruption]: {
    name: "interruption",
    facts: [
      ["seq", "sequence"],
      ["errcode", "errcode"],
      ["errmsg", "errmsg"],
      ["duration_ms", "push_duration"],
    ],
  },
  [EventType.RecordFile]: {
    name: "record-file",
    facts: [
      ["file", "video_url"],
      ["format", "file_format"],
      ["duration_s", "duration"],
      ["bytes", "file_size"],
    ],
  },
  [EventType.Snapshot]: { name: "snapshot", facts: [["file", (r) => r.pic_full_url ?? r.pic_url]] },
  [EventType.Relay]: { name: "relay", facts: [["callback_event", "callback_event"]] },
  [EventType.AudioModeration]: {
    name: "audio-moderation",
    facts: [
      ["suggestion", "suggestion"],
      ["label", "label"],
    ],
  },
  [EventType.PornDetection]: {
    name: "porn-detection",
    facts: [
      ["suggestion", "suggestion"],
      ["label", "label"],
      ["score", (r) => (Array.isArray(r.score) ? r.score[0] : r.score)],
      ["img", "img"],
    ],
  },
  [EventType.PushException]: { name: "push-exception", facts: [] },
  [EventType.RecordStatus]: { name: "record-status", facts: [["record_event", "record_event"]] },
  [EventType.RecordException]: {
    name: "record-exception",
    facts: [["level", "exception_level"]],
  },
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
  const r = body as Body;
  const eventType = Number.isInteger(Number(r.event_type)) ? Number(r.event_type) : undefined;
  const known = eventType === undefined ? undefined : EVENTS[eventType];
  const facts: Record<string, string | number> = {};
  for (const [label, field] of known?.facts ?? []) {
    const shown = text(typeof field === "string" ? r[field] : field(r));
    if (shown !== undefined && shown !== "") facts[label] = shown;
  }
  return {
    eventType,
    name: eventType === undefined ? "no-event-type" : (known?.name ?? `event-${eventType}`),
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

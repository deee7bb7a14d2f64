import type { CallbackEvent, InterruptionEvent, PushEvent } from "../protocol/events.js";

/** Identifies a stream: push domain, AppName and stream name. */
export interface StreamKey {
  app: string;
  appname: string;
  stream_id: string;
}

/** `app/appname/stream_id`. */
export function streamKeyOf(key: StreamKey): string {
  return `${key.app}/${key.appname}/${key.stream_id}`;
}

/** What the tracker knows about one stream. */
export interface StreamState {
  key: string;
  app: string;
  appname: string;
  stream_id: string;
  status: "live" | "offline";
  /** The publish the status is about. */
  sequence: string;
  /** event_time of that publish's push; undefined when only its interruption was seen. */
  startedAt: number | undefined;
  /** event_time of that publish's interruption, when offline. */
  endedAt: number | undefined;
  /** errcode of the interruption, when offline. */
  errcode: number | undefined;
  /** push_duration of the interruption in ms, when offline. */
  pushDurationMs: number | undefined;
}

/** One publish (one `sequence`) as far as its events have arrived. */
interface Session {
  sequence: string;
  start?: number;
  end?: number;
  errcode?: number;
  pushDurationMs?: number;
}

interface StreamRecord {
  key: StreamKey;
  sessions: Map<string, Session>;
}

/** A serialisable snapshot of the tracker, for persistence across restarts. */
export interface StreamStateSnapshot {
  version: 1;
  streams: { key: StreamKey; sessions: Session[] }[];
}

/** Default number of publishes remembered per stream (older ones are forgotten). */
export const DEFAULT_MAX_SESSIONS_PER_STREAM = 16;

/**
 * Orders publishes by when they began. A publish seen only through its interruption began at or
 * before its end, so at equal times it ranks below one whose push is known; between two publishes
 * that began at the same second, the one still open is the newer (only the newest can be open).
 * Remaining ties fall back to `sequence` so the result never depends on arrival order.
 */
function compareSessions(a: Session, b: Session): number {
  const timeA = a.start ?? a.end ?? 0;
  const timeB = b.start ?? b.end ?? 0;
  if (timeA !== timeB) return timeA - timeB;
  const rankA = a.start === undefined ? 0 : 1;
  const rankB = b.start === undefined ? 0 : 1;
  if (rankA !== rankB) return rankA - rankB;
  const openA = a.end === undefined ? 1 : 0;
  const openB = b.end === undefined ? 1 : 0;
  if (openA !== openB) return openA - openB;
  return a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0;
}

function isStreamEvent(event: CallbackEvent): event is PushEvent | InterruptionEvent {
  return event.event_type === 0 || event.event_type === 1;
}

/**
 * Folds push (1) and interruption (0) callbacks into per-stream live/offline state. The result
 * depends only on which events arrived, never on their order or on duplicates: a retried push that
 * arrives after its own interruption does not bring the stream back to live, and a reconnect whose
 * push shares a second with the previous interruption ends live.
 *
 * Each publish is remembered by `sequence` (at most `maxSessionsPerStream` per stream, oldest
 * forgotten first), so memory stays bounded while late duplicates of recent publishes are still
 * recognised.
 *
 * @example
 * const tracker = new StreamStateTracker();
 * const { changed, state } = tracker.apply(event);
 * if (changed && state) await db.setLive(state.key, state.status === "live");
 */
export class StreamStateTracker {
  readonly #streams = new Map<string, StreamRecord>();
  readonly #maxSessions: number;

  constructor(options: { maxSessionsPerStream?: number } = {}) {
    this.#maxSessions = Math.max(
      2,
      options.maxSessionsPerStream ?? DEFAULT_MAX_SESSIONS_PER_STREAM,
    );
  }

  /** Applies one event; other event types are ignored (`changed: false`). */
  apply(event: CallbackEvent): { changed: boolean; state: StreamState | undefined } {
    if (!isStreamEvent(event)) return { changed: false, state: undefined };
    const key = streamKeyOf(event);
    const before = this.get(key);
    let record = this.#streams.get(key);
    if (!record) {
      record = {
        key: { app: event.app, appname: event.appname, stream_id: event.stream_id },
        sessions: new Map(),
      };
      this.#streams.set(key, record);
    }
    const session = record.sessions.get(event.sequence) ?? { sequence: event.sequence };
    if (event.event_type === 1) {
      session.start =
        session.start === undefined ? event.event_time : Math.min(session.start, event.event_time);
    } else {
      session.end =
        session.end === undefined ? event.event_time : Math.max(session.end, event.event_time);
      if (event.errcode !== undefined) session.errcode = event.errcode;
      if (event.push_duration !== undefined) session.pushDurationMs = Number(event.push_duration);
    }
    record.sessions.set(event.sequence, session);
    this.#forgetOldest(record);
    const after = this.get(key);
    return { changed: !sameState(before, after), state: after };
  }

  /** The state of one stream, by key string or parts. */
  get(key: string | StreamKey): StreamState | undefined {
    const id = typeof key === "string" ? key : streamKeyOf(key);
    const record = this.#streams.get(id);
    if (!record) return undefined;
    let current: Session | undefined;
    for (const session of record.sessions.values()) {
      if (!current || compareSessions(session, current) > 0) current = session;
    }
    if (!current) return undefined;
    return {
      key: id,
      ...record.key,
      status: current.end === undefined ? "live" : "offline",
      sequence: current.sequence,
      startedAt: current.start,
      endedAt: current.end,
      errcode: current.errcode,
      pushDurationMs: current.pushDurationMs,
    };
  }

  /** Every known stream. */
  list(): StreamState[] {
    return [...this.#streams.keys()].map((key) => this.get(key)!);
  }

  /** Streams currently live. */
  live(): StreamState[] {
    return this.list().filter((state) => state.status === "live");
  }

  toJSON(): StreamStateSnapshot {
    return {
      version: 1,
      streams: [...this.#streams.values()].map((r) => ({
        key: r.key,
        sessions: [...r.sessions.values()].map((s) => ({ ...s })),
      })),
    };
  }

  /** Restores a snapshot made by `toJSON`. */
  static fromJSON(
    snapshot: StreamStateSnapshot,
    options: { maxSessionsPerStream?: number } = {},
  ): StreamStateTracker {
    const tracker = new StreamStateTracker(options);
    for (const stream of snapshot.streams) {
      tracker.#streams.set(streamKeyOf(stream.key), {
        key: { ...stream.key },
        sessions: new Map(stream.sessions.map((s) => [s.sequence, { ...s }])),
      });
    }
    return tracker;
  }

  #forgetOldest(record: StreamRecord): void {
    while (record.sessions.size > this.#maxSessions) {
      let oldest: Session | undefined;
      for (const session of record.sessions.values()) {
        if (!oldest || compareSessions(session, oldest) < 0) oldest = session;
      }
      record.sessions.delete(oldest!.sequence);
    }
  }
}

function sameState(a: StreamState | undefined, b: StreamState | undefined): boolean {
  return (
    a?.status === b?.status &&
    a?.sequence === b?.sequence &&
    a?.startedAt === b?.startedAt &&
    a?.endedAt === b?.endedAt &&
    a?.errcode === b?.errcode
  );
}

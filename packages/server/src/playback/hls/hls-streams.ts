import type { Logger } from "pino";
import type { PlayGrant } from "../../ingest/session/play-host.js";
import type { PlaybackService } from "../playback-service.js";
import { LiveSegmenter, type SegmenterOptions } from "./live-segmenter.js";

/** One stream's HLS output on this node. */
export interface HlsStream {
  readonly name: string;
  readonly segmenter: LiveSegmenter;
  lastRequestMs: number;
  /** Requests being answered now (held ones included): the output is not idle meanwhile. */
  inFlight: number;
}

interface StreamEntry extends HlsStream {
  release(): void;
  unsubscribe(): void;
  endedAtMs: number | null;
}

interface Session {
  name: string;
  grant: PlayGrant;
  unsubscribe(): void;
  lastSeenMs: number;
}

/**
 * Sessions a node keeps at most: a session lives two target durations after its last request
 * without holding a connection, so this bounds what a flood of multivariant requests can fill.
 */
export const MAX_HLS_SESSIONS = 50_000;

/** How often idle sessions and streams are looked for. */
const SWEEP_MS = 500;

/**
 * The HLS outputs and sessions of this node (docs/hls.md). A stream's segmenter is made on its
 * first playlist request, subscribed to the stream's fan-out (local, or the internal pull of a
 * node without the publish) like one more viewer, and dropped after `idleMs` without a request,
 * or shortly after the publish ended (its playlist says EXT-X-ENDLIST until then). A session is
 * one player: made when the multivariant playlist grants a token, counted as a viewer of the
 * `hls` protocol (viewer-stats.ts), and ended once no request named its token for two target
 * durations.
 */
export class HlsStreams {
  private readonly streams = new Map<string, StreamEntry>();
  private readonly sessions = new Map<string, Session>();
  private readonly opening = new Map<string, Promise<StreamEntry | null>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      playback: PlaybackService;
      options: SegmenterOptions & { idleMs: number };
      nowMs: () => number;
      logger: Logger;
    },
  ) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** A session ends after this long without a request (two target durations). */
  get sessionIdleMs(): number {
    return 2 * this.deps.options.segmentTargetMs;
  }

  /** An ended stream's output is kept this long, for players to read EXT-X-ENDLIST. */
  get endedLingerMs(): number {
    return 3 * this.deps.options.segmentTargetMs;
  }

  /** The output of `name` if this node has one (live or just ended). */
  find(name: string): HlsStream | null {
    const entry = this.streams.get(name);
    if (entry) entry.lastRequestMs = this.deps.nowMs();
    return entry ?? null;
  }

  /** The live output of `AppName/StreamName`, made now if needed; null when it is not live. */
  async open(appName: string, streamName: string): Promise<HlsStream | null> {
    const name = `${appName}/${streamName}`;
    const existing = this.streams.get(name);
    if (existing && !existing.segmenter.ended) {
      existing.lastRequestMs = this.deps.nowMs();
      return existing;
    }
    const pending = this.opening.get(name) ?? this.start(name, appName, streamName);
    this.opening.set(name, pending);
    try {
      return await pending;
    } finally {
      this.opening.delete(name);
    }
  }

  /**
   * Counts a player of `name` under `session` from now on (its grant subscribed); false, and the
   * grant left alone, when the node already keeps MAX_HLS_SESSIONS.
   */
  addSession(session: string, name: string, grant: PlayGrant): boolean {
    if (this.sessions.size >= MAX_HLS_SESSIONS) return false;
    const entry: Session = {
      name,
      grant,
      lastSeenMs: this.deps.nowMs(),
      unsubscribe: () => undefined,
    };
    this.sessions.set(session, entry);
    entry.unsubscribe = grant.subscribe({
      onTag: () => undefined,
      onEnd: () => this.endSession(session, "ended", "the publish ended"),
    });
    return true;
  }

  /** Marks `session` seen now; false when it is not (or no longer) known here. */
  touchSession(session: string): boolean {
    const entry = this.sessions.get(session);
    if (!entry) return false;
    entry.lastSeenMs = this.deps.nowMs();
    return true;
  }

  /** Bytes sent to `session`, for its statistics. */
  sent(session: string, bytes: number): void {
    this.sessions.get(session)?.grant.sent(bytes);
  }

  /** Bytes of segments each output holds now, by `AppName/StreamName`. */
  heldBytes(): Map<string, number> {
    return new Map([...this.streams.values()].map((e) => [e.name, e.segmenter.bytes]));
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  stop(): void {
    clearInterval(this.sweeper);
    for (const session of [...this.sessions.keys()])
      this.endSession(session, "closed", "node stopping");
    for (const entry of [...this.streams.values()]) this.drop(entry);
  }

  private async start(
    name: string,
    appName: string,
    streamName: string,
  ): Promise<StreamEntry | null> {
    const lease = await this.deps.playback.acquireSource(appName, streamName);
    if (!lease) return null;
    const old = this.streams.get(name);
    if (old) this.drop(old);
    const segmenter = new LiveSegmenter(this.deps.options, this.deps.nowMs);
    const entry: StreamEntry = {
      name,
      segmenter,
      lastRequestMs: this.deps.nowMs(),
      inFlight: 0,
      endedAtMs: null,
      release: lease.release,
      unsubscribe: () => undefined,
    };
    this.streams.set(name, entry);
    segmenter.onChange(() => {
      if (segmenter.ended && entry.endedAtMs === null) entry.endedAtMs = this.deps.nowMs();
    });
    entry.unsubscribe = lease.source.add(segmenter);
    this.deps.logger.info({ stream: name }, "hls output started");
    return entry;
  }

  private drop(entry: StreamEntry): void {
    if (this.streams.get(entry.name) === entry) this.streams.delete(entry.name);
    entry.unsubscribe();
    entry.segmenter.onEnd();
    entry.release();
    this.deps.logger.info({ stream: entry.name }, "hls output stopped");
  }

  private endSession(session: string, exit: "closed" | "ended", detail: string): void {
    const entry = this.sessions.get(session);
    if (!entry) return;
    this.sessions.delete(session);
    entry.unsubscribe();
    entry.grant.left(exit, detail);
  }

  private sweep(): void {
    const now = this.deps.nowMs();
    for (const [id, session] of this.sessions) {
      if (now - session.lastSeenMs > this.sessionIdleMs) {
        this.endSession(id, "closed", "no request for two target durations");
      }
    }
    for (const entry of [...this.streams.values()]) {
      const ended = entry.endedAtMs !== null && now - entry.endedAtMs > this.endedLingerMs;
      const idle = entry.inFlight === 0 && now - entry.lastRequestMs > this.deps.options.idleMs;
      if (ended || idle) this.drop(entry);
    }
  }
}

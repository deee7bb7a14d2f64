/** A writable that can hold its writes and flush them as one (net.Socket, http.ServerResponse). */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** Bytes written and not yet sent, held ones included. */
  readonly writableLength: number;
}

/**
 * How long live media is held to leave in one write. Over loopback and TCP the cost of a send
 * is mostly per system call and per segment (the receiving side of a loopback segment runs on
 * the sender's CPU), not per byte: a viewer or relay target written once per publisher read gets
 * ~75 sends a second at 30 fps with audio, one written every 40 ms gets 25. Latency grows by at
 * most this (docs/playback.md, "Benchmark": what brought the cost down).
 */
export const LIVE_WRITE_HOLD_MS = 40;

/**
 * Holds the writes of many streams and flushes them all together every `holdMs`: one timer for
 * every viewer of the node, so the flushes of one interval share one wake-up. A stream is corked
 * at its first write of an interval and uncorked at the flush; its writes meanwhile leave in one
 * writev.
 */
export class WriteHolder {
  /** The streams held in this interval, with their unsent bytes when they were corked. */
  private readonly held = new Map<Corkable, number>();
  /** Streams whose writes of this turn leave at its end (`atOnce`). */
  private readonly passing = new Set<Corkable>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly holdMs: number) {}

  hold(stream: Corkable): void {
    if (this.held.has(stream) || this.passing.has(stream)) return;
    this.held.set(stream, stream.writableLength);
    stream.cork();
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), this.holdMs);
      this.timer.unref();
    }
  }

  /**
   * The writes of `stream` in this turn leave at its end instead of at the next flush: a viewer's
   * start (the cached GOP) must not wait, or the first keyframe would arrive up to `holdMs` late.
   */
  atOnce(stream: Corkable): void {
    if (this.passing.has(stream)) return;
    // Already held: what it held leaves with the burst.
    if (this.held.delete(stream)) stream.uncork();
    this.passing.add(stream);
    stream.cork();
    process.nextTick(() => {
      this.passing.delete(stream);
      stream.uncork();
    });
  }

  /**
   * What `stream` had not sent when this interval's holding began: how far behind its peer is.
   * The bytes held since are not a backlog (they leave at the flush), so a slow-viewer bound
   * smaller than one keyframe would otherwise see every viewer behind after each keyframe.
   */
  queuedBytes(stream: Corkable): number {
    return this.held.get(stream) ?? stream.writableLength;
  }

  /** Sends everything held now (the timer's job; a stream about to end needs no call: end() uncorks). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const streams = [...this.held.keys()];
    this.held.clear();
    for (const stream of streams) stream.uncork();
  }
}

/** The node's holder for live viewer and relay writes. */
export const liveWrites = new WriteHolder(LIVE_WRITE_HOLD_MS);

import type { Logger } from "pino";
import { GopCache } from "../media/gop-cache.js";
import type { ConcurrencyGate } from "./concurrency-gate.js";
import { decodeJpeg, SnapshotDecodeError } from "./ffmpeg-jpeg.js";

/** Largest GOP kept per stream; a screenshot only needs its keyframe. */
const MAX_GOP_BYTES = 8 * 1024 * 1024;

/** What happened to screenshot ticks, across all streams of one service. */
export interface SnapshotCounters {
  taken: number;
  failed: number;
  /** The stream's previous ffmpeg was still running. */
  skippedBusy: number;
  /** No keyframe arrived since the previous screenshot: the picture would be the same. */
  skippedUnchanged: number;
  /** `snapshot.maxConcurrent` ffmpeg children were already running. */
  skippedCapacity: number;
}

export interface SnapshotSchedule {
  intervalSeconds: number;
  width: number;
  height: number;
}

/**
 * The screenshots of one live publish. Its `cache` subscribes to the publish's tags at once, so
 * the first keyframe is not missed while the rules are looked up; `start` then takes a JPEG at the
 * first keyframe and every interval after. Decoding happens in a one-shot ffmpeg child, started
 * from a timer (never from the ingest's call stack): at most one per stream, and a tick that finds
 * its stream busy, the global gate full or no new keyframe is skipped and counted.
 */
export class StreamSnapshotter {
  readonly cache: GopCache;
  private schedule: SnapshotSchedule | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private shotKeyframe = 0;
  private firstQueued = false;

  constructor(
    private readonly options: {
      gate: ConcurrencyGate;
      ffmpegPath: string;
      timeoutMs: number;
      counters: SnapshotCounters;
      logger: Logger;
      now: () => Date;
      /** Stores and reports one JPEG; a throw counts as a failed screenshot. */
      onJpeg: (jpeg: Buffer, takenAt: Date) => Promise<void>;
      /** The publish ended and the last screenshot settled. */
      onFinished: () => void;
    },
  ) {
    this.cache = new GopCache({
      maxBytes: MAX_GOP_BYTES,
      onKeyframe: () => {
        if (this.schedule && !this.firstQueued) this.queueFirst();
      },
      onEnd: () => this.finish(),
    });
  }

  /** Starts the schedule; a no-op when the publish already ended. */
  start(schedule: SnapshotSchedule): void {
    if (this.cache.ended || this.schedule) return;
    this.schedule = schedule;
    this.timer = setInterval(() => this.tick(), schedule.intervalSeconds * 1000);
    this.timer.unref();
    if (this.cache.keyframes > 0) this.queueFirst();
  }

  /** Stops without waiting for the publish to end (no rule matched). */
  cancel(): void {
    this.finish();
  }

  /** Settles when no ffmpeg child of this stream is running. */
  idle(): Promise<void> {
    return this.inFlight ?? Promise.resolve();
  }

  private queueFirst(): void {
    this.firstQueued = true;
    setImmediate(() => this.tick()); // off the ingest's call stack
  }

  private tick(): void {
    const schedule = this.schedule;
    const counters = this.options.counters;
    if (!schedule || this.cache.ended) return;
    if (this.inFlight) {
      counters.skippedBusy++;
      return;
    }
    if (this.cache.keyframes === this.shotKeyframe) {
      counters.skippedUnchanged++;
      return;
    }
    const flv = this.cache.toFlv();
    if (!flv) return;
    if (!this.options.gate.tryEnter()) {
      counters.skippedCapacity++;
      return;
    }
    this.shotKeyframe = this.cache.keyframes;
    this.inFlight = this.shoot(flv, schedule, this.options.now()).finally(() => {
      this.options.gate.leave();
      this.inFlight = null;
    });
  }

  private async shoot(flv: Buffer, schedule: SnapshotSchedule, takenAt: Date): Promise<void> {
    try {
      const jpeg = await decodeJpeg({
        ffmpegPath: this.options.ffmpegPath,
        flv,
        width: schedule.width,
        height: schedule.height,
        timeoutMs: this.options.timeoutMs,
      });
      await this.options.onJpeg(jpeg, takenAt);
      this.options.counters.taken++;
    } catch (err) {
      this.options.counters.failed++;
      this.options.logger.warn(
        { err, stderr: err instanceof SnapshotDecodeError ? err.stderr : undefined },
        "screenshot failed",
      );
    }
  }

  private finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.schedule = null;
    void this.idle().then(() => this.options.onFinished());
  }
}

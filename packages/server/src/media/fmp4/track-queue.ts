import type { Sample } from "./fragment.js";

/** A sample as it arrives: its duration is not known until the next one's decode time is. */
export type ArrivingSample = Omit<Sample, "duration">;

/**
 * The samples of one track waiting to be written into a fragment. Each sample's duration is the
 * next sample's decode time minus its own, so the latest one is held back until the next
 * arrives (or, at the end, given the duration of the one before it): fragments written from
 * `take` are contiguous, each track's next fragment starting where the last one ended.
 */
export class TrackQueue {
  private pending: ArrivingSample | null = null;
  private ready: Sample[] = [];
  private readyBytes = 0;
  private lastDuration: number;

  constructor(defaultDuration: number) {
    this.lastDuration = defaultDuration;
  }

  /** Adds a sample; the one before it is now complete. */
  push(sample: ArrivingSample): void {
    if (this.pending) {
      // A decode time going back (a bad timestamp) gives the earlier sample no duration.
      this.complete(Math.max(0, sample.dts - this.pending.dts));
    }
    this.pending = sample;
  }

  /** The duration of the ready samples, in the track's timescale. */
  get readyDuration(): number {
    return this.ready.reduce((sum, s) => sum + s.duration, 0);
  }

  get bytes(): number {
    return this.readyBytes + (this.pending?.data.length ?? 0);
  }

  /** The duration of the last completed sample (the guess for the next one). */
  get recentDuration(): number {
    return this.lastDuration;
  }

  /** The samples whose duration is known, removed from the queue. */
  take(): Sample[] {
    const out = this.ready;
    this.ready = [];
    this.readyBytes = 0;
    return out;
  }

  /** Completes the held sample with the previous duration (the stream ended or was cut). */
  flush(): void {
    if (this.pending) this.complete(this.lastDuration);
  }

  private complete(duration: number): void {
    const sample = this.pending as ArrivingSample;
    this.pending = null;
    if (duration > 0) this.lastDuration = duration;
    this.ready.push({ ...sample, duration });
    this.readyBytes += sample.data.length;
  }
}

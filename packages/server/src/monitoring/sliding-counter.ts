/**
 * Bytes and events over the last `windowMs`, in fixed time buckets: memory is bounded by the
 * window (never by how many frames a publisher sends), and a rate read at any moment covers
 * the whole window once the stream is older than it.
 */
export class SlidingCounter {
  private readonly bucketMs: number;
  private readonly bytes: Float64Array;
  private readonly counts: Float64Array;
  /** Index (time / bucketMs) of the newest bucket written. */
  private newest = -1;
  private firstAtMs = -1;

  constructor(windowMs: number, buckets = 20) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / buckets));
    this.bytes = new Float64Array(buckets);
    this.counts = new Float64Array(buckets);
  }

  add(nowMs: number, bytes: number): void {
    if (this.firstAtMs < 0) this.firstAtMs = nowMs;
    const index = this.advance(nowMs);
    const slot = index % this.bytes.length;
    this.bytes[slot] = (this.bytes[slot] as number) + bytes;
    this.counts[slot] = (this.counts[slot] as number) + 1;
  }

  /**
   * Per-second rates over the window ending now; over the time since the first event while the
   * stream is younger than the window (at least one bucket, so a first frame is not a spike).
   */
  rates(nowMs: number): { bitsPerSecond: number; perSecond: number } {
    if (this.firstAtMs < 0) return { bitsPerSecond: 0, perSecond: 0 };
    const index = this.advance(nowMs);
    let bytes = 0;
    let count = 0;
    for (let i = 0; i < this.bytes.length; i++) {
      bytes += this.bytes[i] as number;
      count += this.counts[i] as number;
    }
    // The buckets cover from the oldest one's start to now (the newest is partly filled).
    const coveredFrom = Math.max((index - this.bytes.length + 1) * this.bucketMs, this.firstAtMs);
    const spanMs = Math.max(this.bucketMs, nowMs - coveredFrom);
    return { bitsPerSecond: (bytes * 8 * 1000) / spanMs, perSecond: (count * 1000) / spanMs };
  }

  /** Moves to the bucket of `nowMs`, clearing the buckets that fell out of the window. */
  private advance(nowMs: number): number {
    const index = Math.floor(nowMs / this.bucketMs);
    if (this.newest < 0) this.newest = index;
    if (index <= this.newest) return this.newest;
    const clear = Math.min(index - this.newest, this.bytes.length);
    for (let i = 1; i <= clear; i++) {
      const slot = (this.newest + i) % this.bytes.length;
      this.bytes[slot] = 0;
      this.counts[slot] = 0;
    }
    this.newest = index;
    return index;
  }
}

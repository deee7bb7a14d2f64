/**
 * The back-pressure rule of a consumer that must never block the publisher: once its queue is
 * over the limit, tags are dropped up to the next cut point (a keyframe, or metadata), so what it
 * does write still decodes. Counts what it dropped.
 */
export class KeyframeDropper {
  private dropping = false;
  /** Tags dropped because the consumer fell behind. */
  dropped = 0;

  constructor(private readonly maxQueuedBytes: number) {}

  /** Whether to write this tag, given whether it is a cut point and what is queued unwritten. */
  admit(cutPoint: boolean, queuedBytes: number): boolean {
    if (this.dropping && !cutPoint) {
      this.dropped++;
      return false;
    }
    this.dropping = false;
    if (queuedBytes > this.maxQueuedBytes) {
      this.dropping = true;
      this.dropped++;
      return false;
    }
    return true;
  }
}

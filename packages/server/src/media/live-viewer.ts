import type { FlvTag } from "./flv-tag.js";
import type { TagSink } from "./media-fanout.js";
import { isAacSequenceHeader } from "./play-source.js";
import { inspectVideoTag } from "./video-tag.js";

/** The slow-viewer policy (docs/playback.md, "Slow viewers"). */
export interface ViewerPolicy {
  /** Bytes a viewer's connection may hold unsent; past it, tags are skipped to the next keyframe. */
  maxQueuedBytes: number;
  /** Keyframes in a row at which it is still over the bound before it is disconnected. */
  maxSkippedKeyframes: number;
}

/** Where a viewer's tags go: RTMP messages or FLV tags on its socket. */
export interface ViewerOutput {
  /** Bytes written and not yet sent to the peer (the socket's `writableLength`). */
  queuedBytes(): number;
  /** Writes one tag at `timestamp` (the viewer's own timeline); returns the bytes written. */
  write(tag: FlvTag, timestamp: number): number;
  /** The viewer stayed behind: it is disconnected. */
  evict(detail: string): void;
  /** The publish ended. */
  end(): void;
}

/**
 * One viewer of a live stream. It never waits: each tag is written at once or skipped. Its queue
 * is the socket's own write buffer; once that is over `maxQueuedBytes`, tags are skipped up to
 * the next keyframe (audio with it, so what it plays still decodes), and a viewer still over the
 * bound at `maxSkippedKeyframes` keyframes in a row is evicted. Sequence headers and metadata
 * are never skipped. A viewer starts at a keyframe (when the stream has video), and timestamps
 * are moved so that its first media tag is at 0.
 */
export class LiveViewer implements TagSink {
  private base: number | null = null;
  private last = 0;
  private skipping = false;
  private skippedKeyframes = 0;
  private hasVideo = false;
  private done = false;
  private started = false;
  /** Tags skipped because the viewer fell behind. */
  skipped = 0;
  bytes = 0;

  constructor(
    private readonly output: ViewerOutput,
    private readonly policy: ViewerPolicy,
  ) {}

  onTag(tag: FlvTag): void {
    if (this.done) return;
    if (tag.type === 18 || this.isSequenceHeader(tag)) {
      this.bytes += this.output.write(tag, this.last);
      return;
    }
    const keyframe = tag.type === 9 && inspectVideoTag(tag.data).keyframe;
    if (!this.started) {
      // Nothing before the first keyframe: frames that reference a picture the viewer never had.
      if (this.hasVideo && !keyframe) return;
      this.started = true;
    }
    const cutPoint = keyframe || (tag.type === 8 && !this.hasVideo);
    const behind = this.output.queuedBytes() > this.policy.maxQueuedBytes;
    if (cutPoint) {
      this.skipping = behind;
      this.skippedKeyframes = behind && keyframe ? this.skippedKeyframes + 1 : 0;
      if (this.skippedKeyframes >= this.policy.maxSkippedKeyframes) {
        this.done = true;
        this.output.evict(
          `more than ${this.policy.maxQueuedBytes} bytes behind at ${this.skippedKeyframes} keyframes in a row`,
        );
        return;
      }
    } else if (behind) {
      this.skipping = true;
    }
    if (this.skipping) {
      this.skipped++;
      return;
    }
    this.bytes += this.output.write(tag, this.timeline(tag.timestamp));
  }

  onEnd(): void {
    if (this.done) return;
    this.done = true;
    this.output.end();
  }

  /** Stops writing (the viewer left). */
  close(): void {
    this.done = true;
  }

  private isSequenceHeader(tag: FlvTag): boolean {
    if (tag.type === 8) return isAacSequenceHeader(tag.data);
    const info = inspectVideoTag(tag.data);
    if (info.sequenceHeader) this.hasVideo = true;
    return info.sequenceHeader;
  }

  /** The publisher's timestamp on this viewer's timeline: from 0, never going back. */
  private timeline(timestamp: number): number {
    this.base ??= timestamp;
    const delta = (timestamp - this.base) >>> 0;
    // A tag slightly older than the first one (audio interleaved before the keyframe) wraps.
    if (delta > 0x7fffffff) return this.last;
    this.last = delta;
    return delta;
  }
}

import { encodeFlvTag } from "./flv-file.js";
import type { FlvTag } from "./flv-tag.js";
import type { TagSink } from "./media-fanout.js";
import { inspectVideoTag } from "./video-tag.js";

/** FLV header announcing video only, so ffmpeg does not wait to probe an audio stream. */
const FLV_VIDEO_HEADER = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x01, 0, 0, 0, 9, 0, 0, 0, 0]);

/**
 * The little a screenshot needs from a live stream: the metadata, the video sequence header and
 * the video tags since the latest keyframe (one GOP). Audio is not kept. It costs the ingest path
 * an array push per video tag; past `maxBytes` a GOP stops growing (its keyframe, all a
 * screenshot decodes, is always kept).
 */
export class GopCache implements TagSink {
  private metadata: FlvTag | null = null;
  private videoHeader: FlvTag | null = null;
  private gop: FlvTag[] = [];
  private gopBytes = 0;
  /** Counts keyframes, so a snapshotter can tell whether the picture changed since its last. */
  keyframes = 0;
  ended = false;

  constructor(
    private readonly options: {
      maxBytes: number;
      /** Called (synchronously, on the ingest path: keep it cheap) after each keyframe. */
      onKeyframe?: () => void;
      onEnd?: () => void;
    },
  ) {}

  onTag(tag: FlvTag): void {
    if (tag.type === 18) {
      this.metadata = tag;
      return;
    }
    if (tag.type !== 9) return;
    const info = inspectVideoTag(tag.data);
    if (info.sequenceHeader) {
      // A new decoder configuration: the cached GOP belongs to the old one.
      this.videoHeader = tag;
      this.gop = [];
      this.gopBytes = 0;
    } else if (info.keyframe) {
      this.gop = [tag];
      this.gopBytes = tag.data.length;
      this.keyframes++;
      this.options.onKeyframe?.();
    } else if (this.gop.length > 0 && this.gopBytes + tag.data.length <= this.options.maxBytes) {
      this.gop.push(tag);
      this.gopBytes += tag.data.length;
    }
  }

  onEnd(): void {
    this.ended = true;
    this.gop = [];
    this.gopBytes = 0;
    this.options.onEnd?.();
  }

  /**
   * The cached GOP as a standalone FLV byte stream (timestamps from 0), what a one-shot ffmpeg
   * decodes its first frame from; null until there is a sequence header and a keyframe.
   */
  toFlv(): Buffer | null {
    const first = this.gop[0];
    if (!this.videoHeader || !first) return null;
    const parts: Buffer[] = [FLV_VIDEO_HEADER];
    if (this.metadata) parts.push(encodeFlvTag(this.metadata, 0));
    parts.push(encodeFlvTag(this.videoHeader, 0));
    for (const tag of this.gop)
      parts.push(encodeFlvTag(tag, (tag.timestamp - first.timestamp) >>> 0));
    return Buffer.concat(parts);
  }
}

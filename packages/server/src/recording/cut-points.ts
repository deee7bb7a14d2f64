import type { FlvTag } from "../media/flv-tag.js";
import { isAacSequenceHeader } from "../media/play-source.js";
import { inspectVideoTag } from "../media/video-tag.js";

/**
 * What a recorder does with one tag of the live stream:
 * - `header`: metadata or a sequence header, kept and written at the start of every file;
 * - `cut`: a frame a file may start (or be cut) at;
 * - `frame`: any other frame, written to the file under way;
 * - `skip`: not part of this recording (video in an audio-only one).
 */
export type TagRole = "header" | "cut" | "frame" | "skip";

/**
 * The one cutting rule of every recorder (docs/recording.md, "Cutting files"). With video, a file
 * starts at a keyframe, so it decodes from its first frame; a stream without video, and an
 * audio-only recording (AAC, MP3), may cut at any audio frame. The stream timestamp of the cut
 * point a file starts at is its `media_start_time` (Tencent 267/38082).
 */
export class CutPoints {
  readonly headers: { metadata?: FlvTag; video?: FlvTag; audio?: FlvTag } = {};
  private hasVideo = false;

  /** `audio`: an audio-only recording, which skips video and metadata (it describes the video). */
  constructor(private readonly media: "av" | "audio" = "av") {}

  role(tag: FlvTag): TagRole {
    if (tag.type === 8) {
      if (isAacSequenceHeader(tag.data)) {
        this.headers.audio = tag;
        return "header";
      }
      return this.media === "audio" || !this.hasVideo ? "cut" : "frame";
    }
    if (this.media === "audio") return "skip";
    if (tag.type === 18) {
      this.headers.metadata = tag;
      return "header";
    }
    if (tag.type !== 9) return "skip";
    const video = inspectVideoTag(tag.data);
    if (video.sequenceHeader) {
      this.headers.video = tag;
      this.hasVideo = true;
      return "header";
    }
    return video.keyframe ? "cut" : "frame";
  }
}

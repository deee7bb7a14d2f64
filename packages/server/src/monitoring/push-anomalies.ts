import { PushAbnormalType, type PushAbnormalTypeCode } from "@onair/callbacks";
import type { FlvTag } from "../media/flv-tag.js";
import { audioCodec, type TagCodec, videoCodec } from "./tag-codecs.js";

/** The occurrences of one abnormal type in one reporting interval. */
export interface AbnormalTally {
  type: PushAbnormalTypeCode;
  count: number;
  /** The first `maxDetails` occurrences: what happened and when (Unix ms). */
  details: { desc: string; occurTimeMs: number }[];
}

export interface AnomalyThresholds {
  /** A timestamp step above this is a jump (types 3, 4; Tencent: 1000 ms). */
  jumpMs: number;
  /** Frames arriving further apart than this are a gap (types 6, 7). */
  frameGapMs: number;
  /** A chunk size above this is too big (type 5; Tencent: 8192). */
  maxChunkSize: number;
  /** Details kept per type and interval; `count` keeps counting past it. */
  maxDetails: number;
}

/** Per kind (audio or video): what the previous frame was. */
interface TrackState {
  lastTs: number | null;
  lastArrivalMs: number | null;
  codec: string;
  headerSeen: boolean;
  framesSeen: boolean;
}

const track = (): TrackState => ({
  lastTs: null,
  lastArrivalMs: null,
  codec: "",
  headerSeen: false,
  framesSeen: false,
});

const KIND = {
  video: {
    backward: PushAbnormalType.VideoTimestampBackward,
    jump: PushAbnormalType.VideoTimestampJump,
    gap: PushAbnormalType.VideoFrameGap,
    codec: PushAbnormalType.VideoCodecChanged,
    header: PushAbnormalType.VideoHeaderMissing,
  },
  audio: {
    backward: PushAbnormalType.AudioTimestampBackward,
    jump: PushAbnormalType.AudioTimestampJump,
    gap: PushAbnormalType.AudioFrameGap,
    codec: PushAbnormalType.AudioCodecChanged,
    header: PushAbnormalType.AudioHeaderMissing,
  },
} as const;

/**
 * Watches one publish's tags for the abnormal types of the push-exception callback (event 321,
 * Tencent 267/53310): timestamps going back or jumping, frames arriving far apart, a codec
 * change, a frame before its codec's sequence header, an oversized chunk size. Timestamps are
 * compared per kind on coded frames (headers are resent with any time); arrival is wall-clock.
 * `take()` hands over and clears what the interval collected.
 */
export class PushAnomalyDetector {
  private readonly video = track();
  private readonly audio = track();
  private tallies = new Map<PushAbnormalTypeCode, AbnormalTally>();
  private reportedChunkSize = 0;

  constructor(
    private readonly options: AnomalyThresholds & {
      now: () => number;
      /** The chunk size the publisher set (0 when unknown). */
      chunkSize: () => number;
    },
  ) {}

  onTag(tag: FlvTag): void {
    if (tag.type === 18) return;
    const now = this.options.now();
    this.checkChunkSize(now);
    if (tag.data.length === 0) return;
    if (tag.type === 9) this.check("video", this.video, videoCodec(tag.data), tag.timestamp, now);
    else this.check("audio", this.audio, audioCodec(tag.data), tag.timestamp, now);
  }

  /** What happened since the last call, in type order; empty when nothing did. */
  take(): AbnormalTally[] {
    const tallies = [...this.tallies.values()].sort((a, b) => a.type - b.type);
    this.tallies = new Map();
    return tallies;
  }

  private note(type: PushAbnormalTypeCode, desc: string, at: number): void {
    let tally = this.tallies.get(type);
    if (!tally) {
      tally = { type, count: 0, details: [] };
      this.tallies.set(type, tally);
    }
    tally.count++;
    if (tally.details.length < this.options.maxDetails)
      tally.details.push({ desc, occurTimeMs: at });
  }

  private checkChunkSize(now: number): void {
    const size = this.options.chunkSize();
    if (size > this.options.maxChunkSize && size !== this.reportedChunkSize) {
      this.reportedChunkSize = size;
      this.note(PushAbnormalType.ChunkSizeTooBig, `chunk size too big, chunk size=${size}`, now);
    }
  }

  private check(
    kind: "video" | "audio",
    state: TrackState,
    codec: TagCodec,
    ts: number,
    now: number,
  ): void {
    const types = KIND[kind];
    if (state.codec && codec.name !== state.codec) {
      this.note(types.codec, `${kind} codec changed, from ${state.codec} to ${codec.name}`, now);
      // The new codec needs its own header.
      state.headerSeen = false;
      state.framesSeen = false;
    }
    state.codec = codec.name;
    if (codec.sequenceHeader) {
      state.headerSeen = true;
      return;
    }
    if (!codec.frame) return;
    if (codec.needsHeader && !state.headerSeen && !state.framesSeen) {
      this.note(types.header, `no ${kind} sequence header before the first ${kind} frame`, now);
    }
    state.framesSeen = true;
    if (state.lastTs !== null) {
      // Signed 32-bit difference: a wrap past 2^32 is a small step forward, not a jump back.
      const step = (ts - state.lastTs) | 0;
      if (step < 0) {
        this.note(
          types.backward,
          `${kind} timestamp go back, last=${state.lastTs} current=${ts}`,
          now,
        );
      } else if (step > this.options.jumpMs) {
        this.note(types.jump, `${kind} timestamp jump, last=${state.lastTs} current=${ts}`, now);
      }
    }
    if (state.lastArrivalMs !== null) {
      const interval = now - state.lastArrivalMs;
      if (interval > this.options.frameGapMs) {
        this.note(
          types.gap,
          `${kind} frame arrive interval too long, interval=${interval}(msec)`,
          now,
        );
      }
    }
    state.lastTs = ts;
    state.lastArrivalMs = now;
  }
}

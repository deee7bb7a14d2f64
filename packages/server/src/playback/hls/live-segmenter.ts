import type { FlvTag } from "../../media/flv-tag.js";
import { aacFrame, videoFrame } from "../../media/fmp4/flv-sample.js";
import { buildFragment, type TrackRun } from "../../media/fmp4/fragment.js";
import {
  AUDIO_TRACK_ID,
  buildInitSegment,
  VIDEO_TIMESCALE,
  VIDEO_TRACK_ID,
} from "../../media/fmp4/init-segment.js";
import {
  type AudioTrackConfig,
  audioTrackConfig,
  type VideoTrackConfig,
  videoTrackConfig,
} from "../../media/fmp4/track-config.js";
import { TrackQueue } from "../../media/fmp4/track-queue.js";
import type { TagSink } from "../../media/media-fanout.js";

/** How a stream is cut (config `playback.hls.*`, docs/hls.md). */
export interface SegmenterOptions {
  segmentTargetMs: number;
  partTargetMs: number;
  /** Complete segments kept (and listed) at most. */
  windowSegments: number;
  /** Bytes of segments kept at most, the one being cut included. */
  maxBytes: number;
}

/** A partial segment (RFC 8216bis §4.4.4.9): one fMP4 fragment, moof + mdat. */
export interface HlsPart {
  msn: number;
  index: number;
  /** Seconds. */
  duration: number;
  /** Starts with a keyframe (EXT-X-PART INDEPENDENT=YES). */
  independent: boolean;
  data: Buffer;
}

/** A media segment: its parts one after the other. */
export interface HlsSegment {
  msn: number;
  parts: HlsPart[];
  /** Seconds; 0 until the segment is complete. */
  duration: number;
  /** Wall-clock time of its first sample (EXT-X-PROGRAM-DATE-TIME), epoch ms. */
  programDateMs: number;
  /** The init segment (EXT-X-MAP) its fragments need. */
  initVersion: number;
  /** The decoder configuration changed before it (EXT-X-DISCONTINUITY). */
  discontinuity: boolean;
  bytes: number;
  /** The whole segment once complete (its parts are views into it). */
  data: Buffer | null;
}

/** What the playlists and the multivariant playlist read. */
export interface SegmenterCodecs {
  codecs: string[];
  width: number;
  height: number;
}

/**
 * The live HLS output of one stream: a TagSink (subscribed like a viewer) that turns FLV tags
 * into an fMP4 init segment and fragments. A segment is cut at the first keyframe once it lasts
 * `segmentTargetMs`; inside it, a part (one fragment) is cut before a frame that would take it
 * past `partTargetMs` (RFC 8216bis §4.4.4.9: a part never exceeds the part target). The driving
 * track is video when the stream has video (AVC or HEVC), else AAC audio; audio without AAC
 * is left out. Complete segments are kept up to `windowSegments` and `maxBytes` (the oldest go
 * first; a segment outgrowing half of `maxBytes` is cut at the next part, so memory stays under
 * the bound whatever the GOP). Listeners registered with `onChange` hear of every new part.
 */
export class LiveSegmenter implements TagSink {
  readonly segments: HlsSegment[] = [];
  current: HlsSegment | null = null;
  ended = false;
  /** Discontinuities that left the window (EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitySequence = 0;
  /** The longest segment so far, seconds (EXT-X-TARGETDURATION never lists less). */
  longestSegment = 0;
  private readonly inits = new Map<number, Buffer>();
  private initVersion = -1;
  private videoConfig: VideoTrackConfig | null = null;
  private audioConfig: AudioTrackConfig | null = null;
  /** The tracks of the current init: set when cutting starts. */
  private tracks: { video: VideoTrackConfig | null; audio: AudioTrackConfig | null } | null = null;
  private video = new TrackQueue(3000);
  private audio = new TrackQueue(1024);
  /**
   * Media sequence numbers start at the segmenter's start in tenths of a second, so a stream
   * name's next output (a new publish) never reuses a URL a player or a cache has seen.
   */
  private nextMsn: number;
  private nextDiscontinuity = false;
  private fragmentSequence = 1;
  private totalBytes = 0;
  /** Timestamps: the last raw 32-bit FLV timestamp, its unwrapped value, the start of the timeline. */
  private lastRaw: number | null = null;
  private extended = 0;
  private baseMs: number | null = null;
  /** Wall clock minus media time of the driving track, the least seen (the least delayed sample). */
  private anchorMs = Number.POSITIVE_INFINITY;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly options: SegmenterOptions,
    private readonly nowMs: () => number,
  ) {
    this.nextMsn = Math.floor(nowMs() / 100);
  }

  /** Calls `listener` after every new part, segment and the end; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The init segment of a version still referenced by the window. */
  init(version: number): Buffer | null {
    return this.inits.get(version) ?? null;
  }

  get codecs(): SegmenterCodecs | null {
    if (!this.tracks) return null;
    const { video, audio } = this.tracks;
    return {
      codecs: [video?.codecString, audio?.codecString].filter((c): c is string => !!c),
      width: video?.width ?? 0,
      height: video?.height ?? 0,
    };
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The segment `msn` if it is in the window (complete or being cut). */
  segment(msn: number): HlsSegment | null {
    if (this.current?.msn === msn) return this.current;
    return this.segments.find((s) => s.msn === msn) ?? null;
  }

  /** The newest part: (msn, index), or null before the first. */
  get lastPart(): { msn: number; index: number } | null {
    const segment =
      this.current && this.current.parts.length > 0 ? this.current : this.segments.at(-1);
    if (!segment) return null;
    return { msn: segment.msn, index: segment.parts.length - 1 };
  }

  /** The msn of the segment being cut now (or that will be next). */
  get liveMsn(): number {
    return this.current?.msn ?? this.nextMsn;
  }

  onTag(tag: FlvTag): void {
    if (this.ended) return;
    if (tag.type === 18) return;
    const ms = this.unwrap(tag.timestamp);
    if (tag.type === 9) this.onVideo(tag.data, ms);
    else this.onAudio(tag.data, ms);
  }

  onEnd(): void {
    if (this.ended) return;
    this.finish();
    this.ended = true;
    this.notify();
  }

  private onVideo(body: Buffer, ms: number): void {
    const config = videoTrackConfig(body);
    if (config) {
      if (this.videoConfig && !this.videoConfig.record.equals(config.record)) this.reconfigure();
      this.videoConfig = config;
      return;
    }
    const frame = videoFrame(body);
    if (!frame || !this.videoConfig) return;
    if (!this.tracks) {
      if (!frame.keyframe) return;
      this.start(ms);
    }
    if (!this.tracks?.video) return;
    const rel = ms - (this.baseMs as number);
    const dts = rel * 90;
    this.anchorMs = Math.min(this.anchorMs, this.nowMs() - rel);
    this.video.push({
      data: frame.data,
      dts,
      compositionOffset: frame.compositionMs * 90,
      sync: frame.keyframe,
    });
    this.cut(dts, frame.keyframe, this.video, VIDEO_TIMESCALE);
  }

  private onAudio(body: Buffer, ms: number): void {
    const config = audioTrackConfig(body);
    if (config) {
      if (this.audioConfig && !this.audioConfig.config.equals(config.config)) this.reconfigure();
      this.audioConfig = config;
      return;
    }
    const frame = aacFrame(body);
    if (!frame || !this.audioConfig) return;
    // Audio-only: audio drives the cutting; with video, audio waits for the first keyframe.
    if (!this.tracks && !this.videoConfig) this.start(ms);
    const audio = this.tracks?.audio;
    if (!audio) return;
    const rel = ms - (this.baseMs as number);
    if (rel < 0) return;
    const dts = Math.round((rel * audio.sampleRate) / 1000);
    this.audio.push({ data: frame, dts, compositionOffset: 0, sync: true });
    if (!this.tracks?.video) {
      this.anchorMs = Math.min(this.anchorMs, this.nowMs() - rel);
      this.cut(dts, true, this.audio, audio.sampleRate);
    }
  }

  /**
   * After `driving` got a sample at `dts` (held back, its duration unknown): the samples before
   * it close a part when the next would take the part past the target, and a segment when it is
   * a keyframe and the segment has lasted its target.
   */
  private cut(dts: number, keyframe: boolean, driving: TrackQueue, timescale: number): void {
    const current = this.current as HlsSegment;
    if (driving.readyDuration === 0) return;
    const segmentTicks = (this.options.segmentTargetMs * timescale) / 1000;
    const partTicks = (this.options.partTargetMs * timescale) / 1000;
    const elapsed = dts - this.segmentStartDts;
    const tooBig = current.bytes + driving.bytes > this.options.maxBytes / 2;
    if ((keyframe && elapsed >= segmentTicks) || tooBig) {
      this.cutPart();
      this.cutSegment(dts);
    } else if (driving.readyDuration + driving.recentDuration >= partTicks) {
      // The next sample is guessed as long as the last: with millisecond FLV timestamps a 30 fps
      // frame is 33 or 34 ms, and a part of ten would pass a 333 ms target.
      this.cutPart();
    }
  }

  private segmentStartDts = 0;

  /** The current segment's start on the media timeline, ms. */
  private segmentStartMs(): number {
    const timescale = this.tracks?.video ? VIDEO_TIMESCALE : (this.tracks?.audio?.sampleRate ?? 1);
    return (this.segmentStartDts * 1000) / timescale;
  }

  private start(ms: number): void {
    this.baseMs ??= ms;
    this.tracks = { video: this.videoConfig, audio: this.audioConfig };
    // An init is named after the first segment that needs it.
    this.initVersion = this.nextMsn;
    this.inits.set(this.initVersion, buildInitSegment(this.tracks));
    const rel = ms - this.baseMs;
    this.openSegment(this.tracks.video ? rel * 90 : 0, rel);
  }

  private openSegment(startDts: number, startMs: number): void {
    this.segmentStartDts = startDts;
    const anchor = Number.isFinite(this.anchorMs) ? this.anchorMs : this.nowMs() - startMs;
    this.current = {
      msn: this.nextMsn++,
      parts: [],
      duration: 0,
      programDateMs: Math.round(anchor + startMs),
      initVersion: this.initVersion,
      discontinuity: this.nextDiscontinuity,
      bytes: 0,
      data: null,
    };
    this.nextDiscontinuity = false;
  }

  private cutPart(): void {
    const current = this.current;
    const tracks = this.tracks;
    if (!current || !tracks) return;
    const runs: TrackRun[] = [];
    const videoSamples = this.video.take();
    const audioSamples = this.audio.take();
    if (tracks.video) runs.push({ trackId: VIDEO_TRACK_ID, samples: videoSamples });
    if (tracks.audio) runs.push({ trackId: AUDIO_TRACK_ID, samples: audioSamples });
    if (videoSamples.length === 0 && audioSamples.length === 0) return;
    const duration = tracks.video
      ? videoSamples.reduce((sum, s) => sum + s.duration, 0) / VIDEO_TIMESCALE
      : audioSamples.reduce((sum, s) => sum + s.duration, 0) / (tracks.audio?.sampleRate ?? 1);
    const data = buildFragment(this.fragmentSequence++, runs);
    current.parts.push({
      msn: current.msn,
      index: current.parts.length,
      duration,
      independent: tracks.video ? videoSamples[0]?.sync === true : true,
      data,
    });
    current.bytes += data.length;
    this.totalBytes += data.length;
    // The anchor only gets better (a GOP cache burst at the start gave an early one).
    current.programDateMs = Math.round(this.anchorMs + this.segmentStartMs());
    this.trim();
    this.notify();
  }

  /** Closes the current segment; with `nextDts`, the next one starts there. */
  private cutSegment(nextDts: number | null): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    if (current.parts.length > 0) {
      current.data = Buffer.concat(current.parts.map((p) => p.data));
      let offset = 0;
      for (const part of current.parts) {
        part.data = current.data.subarray(offset, offset + part.data.length);
        offset += part.data.length;
      }
      current.duration = current.parts.reduce((sum, p) => sum + p.duration, 0);
      this.longestSegment = Math.max(this.longestSegment, current.duration);
      this.segments.push(current);
    } else {
      this.nextMsn = current.msn;
    }
    if (nextDts !== null) {
      const timescale = this.tracks?.video
        ? VIDEO_TIMESCALE
        : (this.tracks?.audio?.sampleRate ?? 1);
      this.openSegment(nextDts, (nextDts * 1000) / timescale);
    }
    this.trim();
    this.notify();
  }

  private trim(): void {
    const limit = this.options.windowSegments;
    while (
      this.segments.length > 0 &&
      (this.segments.length > limit || this.totalBytes > this.options.maxBytes)
    ) {
      const gone = this.segments.shift() as HlsSegment;
      this.totalBytes -= gone.bytes;
      if (gone.discontinuity) this.discontinuitySequence++;
    }
    const used = new Set(this.segments.map((s) => s.initVersion));
    if (this.current) used.add(this.current.initVersion);
    used.add(this.initVersion);
    for (const version of this.inits.keys()) if (!used.has(version)) this.inits.delete(version);
  }

  /** Writes out what is held: the last samples get their predecessors' durations. */
  private finish(): void {
    this.video.flush();
    this.audio.flush();
    this.cutPart();
    this.cutSegment(null);
  }

  /** A new decoder configuration: the segment ends here, the next starts a new init. */
  private reconfigure(): void {
    if (!this.tracks) return;
    this.finish();
    this.tracks = null;
    this.video = new TrackQueue(3000);
    this.audio = new TrackQueue(1024);
    this.nextDiscontinuity = true;
  }

  /** FLV timestamps are 32-bit milliseconds: unwrapped into one continuous timeline. */
  private unwrap(raw: number): number {
    if (this.lastRaw !== null) this.extended += (raw - this.lastRaw) | 0;
    else this.extended = raw;
    this.lastRaw = raw;
    return this.extended;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

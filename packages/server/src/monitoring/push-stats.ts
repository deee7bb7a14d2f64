import { decodeAmf0 } from "../ingest/rtmp/amf0.js";
import type { FlvTag } from "../media/flv-tag.js";
import type { PublishedStream } from "../media/published-stream.js";
import { SlidingCounter } from "./sliding-counter.js";
import { audioCodec, audioSampleRate, videoCodec } from "./tag-codecs.js";

/**
 * What the ingest measured of one publish at one moment: the figures of Tencent's `PushDataInfo`
 * and `PushQualityData` (Tencent 267/20386, 267/20387), in plain units. Rates cover the last
 * `windowMs` (docs/monitoring.md).
 */
export interface PushFigures {
  domainName: string;
  appName: string;
  streamName: string;
  sequence: string;
  streamParam: string;
  clientIp: string;
  serverIp: string;
  startedAtMs: number;
  /** Media payload bits per second (FLV tag bodies, headers excluded). */
  videoBitsPerSecond: number;
  audioBitsPerSecond: number;
  videoFps: number;
  audioFps: number;
  /** `H264`, `H265`, `AAC`…; `""` until the first tag of that kind. */
  videoCodec: string;
  audioCodec: string;
  width: number;
  height: number;
  /** Hz; 0 when unknown. */
  audioSampleRate: number;
  /** What onMetaData declared: bits per second and frames per second (0 when absent). */
  metaVideoBitsPerSecond: number;
  metaAudioBitsPerSecond: number;
  metaFps: number;
  /** Every tag body received (audio, video, metadata), since the start. */
  bytesIn: number;
  /** Wall-clock time since the first tag, and the media time the tags covered (ms). */
  localElapsedMs: number;
  videoElapsedMs: number;
  audioElapsedMs: number;
  /** Media time between the last two keyframes (ms); 0 before the second. */
  gopMs: number;
}

/** Media time elapsed since `first`, across 32-bit wraps. */
function elapsed(first: number, last: number): number {
  return (last - first) >>> 0;
}

/**
 * The push figures of one publish, accumulated as a subscriber of its `PublishedStream`: sliding
 * windows for the rates, the codecs and sample rate from the tags, the declared rates from
 * onMetaData. Never throws on odd input: a tag it cannot read counts as bytes only.
 */
export class StreamPushStats {
  private readonly video: SlidingCounter;
  private readonly audio: SlidingCounter;
  private vcodec = "";
  private acodec = "";
  private sampleRate = 0;
  private metaVideo = 0;
  private metaAudio = 0;
  private metaFps = 0;
  private bytes = 0;
  private firstTagAtMs = -1;
  private firstVideoTs: number | null = null;
  private lastVideoTs = 0;
  private firstAudioTs: number | null = null;
  private lastAudioTs = 0;
  private lastKeyframeTs: number | null = null;
  private gop = 0;

  constructor(
    readonly stream: PublishedStream,
    private readonly options: { windowMs: number; now: () => number },
  ) {
    this.video = new SlidingCounter(options.windowMs);
    this.audio = new SlidingCounter(options.windowMs);
  }

  onTag(tag: FlvTag): void {
    const now = this.options.now();
    if (this.firstTagAtMs < 0) this.firstTagAtMs = now;
    this.bytes += tag.data.length;
    if (tag.type === 9) this.onVideo(tag, now);
    else if (tag.type === 8) this.onAudio(tag, now);
    else this.onMetadata(tag.data);
  }

  private onVideo(tag: FlvTag, now: number): void {
    const codec = videoCodec(tag.data);
    if (codec.name) this.vcodec = codec.name;
    if (!codec.frame) return;
    this.video.add(now, tag.data.length);
    if (this.firstVideoTs === null) this.firstVideoTs = tag.timestamp;
    this.lastVideoTs = tag.timestamp;
    if (codec.keyframe) {
      if (this.lastKeyframeTs !== null) this.gop = elapsed(this.lastKeyframeTs, tag.timestamp);
      this.lastKeyframeTs = tag.timestamp;
    }
  }

  private onAudio(tag: FlvTag, now: number): void {
    const codec = audioCodec(tag.data);
    if (codec.name) this.acodec = codec.name;
    const rate = audioSampleRate(tag.data);
    // An AAC header's rate is the truth; the legacy bits of AAC frames always say 44 kHz.
    if (rate !== null && (codec.sequenceHeader || codec.name !== "AAC")) this.sampleRate = rate;
    if (!codec.frame) return;
    this.audio.add(now, tag.data.length);
    if (this.firstAudioTs === null) this.firstAudioTs = tag.timestamp;
    this.lastAudioTs = tag.timestamp;
  }

  private onMetadata(data: Buffer): void {
    let values: unknown[];
    try {
      values = decodeAmf0(data);
    } catch {
      return; // metadata the session accepted but we cannot read: no declared figures
    }
    const meta = values[1];
    if (typeof meta !== "object" || meta === null) return;
    const record = meta as Record<string, unknown>;
    const number = (key: string) => {
      const value = record[key];
      return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
    };
    // onMetaData declares data rates in kbit/s (FLV spec, onMetaData).
    this.metaVideo = Math.round(number("videodatarate") * 1000);
    this.metaAudio = Math.round(number("audiodatarate") * 1000);
    this.metaFps = number("framerate");
  }

  figures(): PushFigures {
    const now = this.options.now();
    const video = this.video.rates(now);
    const audio = this.audio.rates(now);
    const s = this.stream;
    return {
      domainName: s.key.domainName,
      appName: s.key.appName,
      streamName: s.key.streamName,
      sequence: s.sequence,
      streamParam: s.streamParam,
      clientIp: s.clientIp,
      serverIp: s.serverIp,
      startedAtMs: s.startedAtMs,
      videoBitsPerSecond: Math.round(video.bitsPerSecond),
      audioBitsPerSecond: Math.round(audio.bitsPerSecond),
      videoFps: Math.round(video.perSecond * 10) / 10,
      audioFps: Math.round(audio.perSecond * 10) / 10,
      videoCodec: this.vcodec,
      audioCodec: this.acodec,
      width: s.width,
      height: s.height,
      audioSampleRate: this.sampleRate,
      metaVideoBitsPerSecond: this.metaVideo,
      metaAudioBitsPerSecond: this.metaAudio,
      metaFps: this.metaFps,
      bytesIn: this.bytes,
      localElapsedMs: this.firstTagAtMs < 0 ? 0 : now - this.firstTagAtMs,
      videoElapsedMs: this.firstVideoTs === null ? 0 : elapsed(this.firstVideoTs, this.lastVideoTs),
      audioElapsedMs: this.firstAudioTs === null ? 0 : elapsed(this.firstAudioTs, this.lastAudioTs),
      gopMs: this.gop,
    };
  }
}

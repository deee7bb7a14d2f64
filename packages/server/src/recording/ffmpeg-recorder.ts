import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Logger } from "pino";
import { FFMPEG_FLV_STDIN, spawnFfmpeg } from "../media/ffmpeg-process.js";
import { AUDIO_ONLY_FLV_HEADER, encodeFlvTag, FLV_HEADER } from "../media/flv-file.js";
import type { FlvTag } from "../media/flv-tag.js";
import { KeyframeDropper } from "../media/keyframe-dropper.js";
import type { TagSink } from "../media/media-fanout.js";
import { CutPoints } from "./cut-points.js";
import { parsePlaylist, recordingBytes } from "./hls-playlist.js";

/** The formats recorded through ffmpeg: every one but FLV. */
export type FfmpegFormat = "mp4" | "hls" | "aac" | "mp3";

/** The formats ffmpeg's segment muxer cuts into files of `RecordInterval`, and their extension. */
export const SEGMENTED_FORMATS: Readonly<Record<Exclude<FfmpegFormat, "hls">, string>> = {
  mp4: "mp4",
  aac: "aac",
  mp3: "mp3",
};

/** AAC and MP3: the audio alone. */
export function isAudioOnly(format: FfmpegFormat): format is "aac" | "mp3" {
  return format === "aac" || format === "mp3";
}

/** A file ffmpeg finished, synced before it is reported. */
export interface FfmpegFile {
  path: string;
  /** Media seconds from the recording's first frame. */
  startSeconds: number;
  endSeconds: number;
  sizeBytes: number;
  /** Stream timestamp (ms) of the file's first frame: Tencent's `media_start_time` (267/38082). */
  mediaStartMs: number;
}

/** FLV sound format of AAC and MP3 (FLV spec, AUDIODATA). */
const SOUND_FORMAT_AAC = 10;
const SOUND_FORMAT_MP3 = 2;
/** Bitrate of MP3 files encoded from a stream's AAC: Tencent does not document one. */
const MP3_BITRATE = "128k";

/**
 * MP4, HLS, AAC and MP3 recording with ffmpeg (Debian's package): the publish's tags are written
 * to one ffmpeg child's stdin as an FLV byte stream, from the first cut point on (the rule of
 * `CutPoints`, the FLV recorder's too, so every format of a publish starts at the same frame).
 * MP4 and HLS are copied (no re-encoding): MP4 into segments cut at keyframes every
 * `intervalSeconds` (the segment muxer lists each closed file on stdout), HLS into one playlist
 * with its TS segments (reported when the publish ends). AAC and MP3 take the audio alone, cut
 * like MP4: AAC as ADTS, copied; MP3 encoded with libmp3lame, the stream's audio being AAC.
 * Fragmented MP4 keeps a segment readable even when ffmpeg dies before closing it.
 *
 * ffmpeg is started at the first cut point: a publish without one (no audio, for AAC and MP3)
 * records nothing, and `mediaStartMs` stays null.
 *
 * The publisher never waits for ffmpeg: past `maxQueuedBytes` of unwritten stdin, tags are
 * dropped up to the next keyframe. An ffmpeg that fails is reported through `onFailure` and the
 * live stream goes on.
 */
export class FfmpegRecorder implements TagSink {
  private child: ChildProcessWithoutNullStreams | null = null;
  private ended = false;
  private readonly cuts: CutPoints;
  private readonly dropper: KeyframeDropper;
  private reports: Promise<void> = Promise.resolve();
  private firstMs: number | null = null;
  private settle!: () => void;
  /** Settles when ffmpeg exited and every file was reported (at once if it never started). */
  readonly finished: Promise<void>;

  constructor(
    private readonly options: {
      format: FfmpegFormat;
      dir: string;
      baseName: string;
      intervalSeconds: number;
      ffmpegPath: string;
      maxQueuedBytes: number;
      logger: Logger;
      /** ffmpeg was started, at the frame of stream timestamp `mediaStartMs`. */
      onStart(mediaStartMs: number): void;
      onFile(file: FfmpegFile): Promise<void>;
      onFailure(reason: string): void;
    },
  ) {
    this.cuts = new CutPoints(isAudioOnly(options.format) ? "audio" : "av");
    this.dropper = new KeyframeDropper(options.maxQueuedBytes);
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  /** Tags dropped because ffmpeg fell behind. */
  get droppedTags(): number {
    return this.dropper.dropped;
  }

  /** Stream timestamp (ms) of the recording's first frame; null while nothing is recorded. */
  get mediaStartMs(): number | null {
    return this.firstMs;
  }

  private start(first: FlvTag): ChildProcessWithoutNullStreams {
    this.firstMs = first.timestamp;
    const ffmpeg = spawnFfmpeg(this.options.ffmpegPath, this.arguments(first));
    const child = ffmpeg.child;
    if (this.options.format !== "hls") {
      createInterface({ input: child.stdout }).on("line", (line) => this.onSegmentLine(line));
    }
    void ffmpeg.exited
      .then(async (exit) => {
        if (exit.failure) {
          this.options.onFailure(
            exit.spawned ? `${exit.failure}: ${exit.stderr.trim().slice(0, 500)}` : exit.failure,
          );
        }
        if (this.options.format === "hls" && exit.code === 0) await this.reportPlaylist();
        await this.reports;
      })
      .catch((err: unknown) => this.options.logger.error({ err }, "ffmpeg recorder failed"))
      .finally(() => this.settle());
    // An audio-only input says so in its header: ffmpeg then waits for no video stream.
    child.stdin.write(isAudioOnly(this.options.format) ? AUDIO_ONLY_FLV_HEADER : FLV_HEADER);
    const { metadata, video, audio } = this.cuts.headers;
    for (const header of [metadata, video, audio]) {
      if (header) child.stdin.write(inputTag(header, first.timestamp));
    }
    this.options.onStart(first.timestamp);
    return child;
  }

  private arguments(first: FlvTag): string[] {
    const { dir, baseName, intervalSeconds, format } = this.options;
    if (format === "hls") {
      return [
        ...FFMPEG_FLV_STDIN,
        "-map",
        "0",
        "-c",
        "copy",
        "-f",
        "hls",
        "-hls_time",
        String(Math.min(intervalSeconds, 10)),
        "-hls_list_size",
        "0",
        "-hls_playlist_type",
        "event",
        "-hls_segment_filename",
        join(dir, `${baseName}_%05d.ts`),
        join(dir, `${baseName}.m3u8`),
      ];
    }
    const soundFormat = (first.data[0] ?? 0) >> 4;
    const codec: Record<typeof format, string[]> = {
      mp4: ["-map", "0", "-c", "copy"],
      // ADTS holds AAC only: audio of another codec is encoded (ffmpeg's native AAC encoder).
      aac: ["-map", "0:a", "-c:a", soundFormat === SOUND_FORMAT_AAC ? "copy" : "aac"],
      mp3:
        soundFormat === SOUND_FORMAT_MP3
          ? ["-map", "0:a", "-c:a", "copy"]
          : ["-map", "0:a", "-c:a", "libmp3lame", "-b:a", MP3_BITRATE],
    };
    const muxer = { mp4: "mp4", aac: "adts", mp3: "mp3" }[format];
    return [
      ...FFMPEG_FLV_STDIN,
      ...codec[format],
      "-f",
      "segment",
      "-segment_time",
      String(intervalSeconds),
      "-segment_format",
      muxer,
      ...(format === "mp4"
        ? ["-segment_format_options", "movflags=+frag_keyframe+empty_moov+default_base_moof"]
        : []),
      "-reset_timestamps",
      "1",
      "-segment_list",
      "pipe:1",
      "-segment_list_type",
      "csv",
      join(dir, `${baseName}_%03d.${SEGMENTED_FORMATS[format]}`),
    ];
  }

  onTag(tag: FlvTag): void {
    if (this.ended) return;
    const role = this.cuts.role(tag);
    if (role === "skip") return;
    if (!this.child) {
      if (role !== "cut") return; // a header is kept by `cuts`, written when ffmpeg starts
      this.child = this.start(tag);
    }
    const stdin = this.child.stdin;
    if (!stdin.writable) return;
    const cutPoint = role === "cut" || role === "header";
    if (!this.dropper.admit(cutPoint, stdin.writableLength)) return;
    stdin.write(inputTag(tag, tag.timestamp));
  }

  onEnd(): void {
    this.ended = true;
    // Closing stdin makes ffmpeg finish the last segment and exit.
    if (this.child) this.child.stdin.end();
    else this.settle();
  }

  /** `name,start,end` per closed segment (MP4, AAC, MP3). */
  private onSegmentLine(line: string): void {
    const [name, start, end] = line.split(",");
    if (!name || start === undefined || end === undefined) return;
    const path = join(this.options.dir, name);
    this.reports = this.reports.then(async () => {
      try {
        const sizeBytes = await syncFile(path);
        await this.options.onFile({
          path,
          startSeconds: Number(start),
          endSeconds: Number(end),
          sizeBytes,
          mediaStartMs: this.mediaStartAt(Number(start)),
        });
      } catch (err) {
        this.options.logger.error({ err, file: path }, "could not report a recording");
      }
    });
  }

  /** The stream timestamp of a file starting `seconds` into the recording. */
  private mediaStartAt(seconds: number): number {
    return Math.round((this.firstMs ?? 0) + seconds * 1000);
  }

  /** The whole HLS recording: its playlist, duration (sum of EXTINF) and segments' size. */
  private async reportPlaylist(): Promise<void> {
    const path = join(this.options.dir, `${this.options.baseName}.m3u8`);
    try {
      const playlist = parsePlaylist(await readFile(path, "utf8"));
      const sizeBytes = await recordingBytes(path, playlist, syncFile);
      await this.options.onFile({
        path,
        startSeconds: 0,
        endSeconds: playlist.durationSeconds,
        sizeBytes,
        mediaStartMs: this.mediaStartAt(0),
      });
    } catch (err) {
      this.options.logger.error({ err, file: path }, "could not report an HLS recording");
    }
  }
}

/**
 * A tag as ffmpeg's input: metadata at timestamp 0, where ffmpeg's FLV demuxer reads it as the
 * stream's metadata (at any other time it opens a subtitle stream the muxers refuse).
 */
function inputTag(tag: FlvTag, timestamp: number): Buffer {
  return encodeFlvTag(tag, tag.type === 18 ? 0 : timestamp);
}

/** fsyncs a file ffmpeg closed and returns its size: a reported file is durable. */
async function syncFile(path: string): Promise<number> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return (await stat(path)).size;
}

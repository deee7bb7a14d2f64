import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Logger } from "pino";
import { FFMPEG_FLV_STDIN, spawnFfmpeg } from "../media/ffmpeg-process.js";
import { encodeFlvTag, FLV_HEADER } from "../media/flv-file.js";
import type { FlvTag } from "../media/flv-tag.js";
import { KeyframeDropper } from "../media/keyframe-dropper.js";
import type { TagSink } from "../media/media-fanout.js";
import { inspectVideoTag } from "../media/video-tag.js";
import { parsePlaylist, recordingBytes } from "./hls-playlist.js";

/** A file ffmpeg finished, synced before it is reported. */
export interface FfmpegFile {
  path: string;
  /** Media seconds from the start of the publish. */
  startSeconds: number;
  endSeconds: number;
  sizeBytes: number;
}

/**
 * MP4 and HLS recording with ffmpeg (Debian's package): the publish's tags are written to one
 * ffmpeg child's stdin as an FLV byte stream, copied (no re-encoding) into MP4 segments cut at
 * keyframes every `intervalSeconds` (the segment muxer lists each closed file on stdout) or into
 * one HLS playlist with its TS segments (reported when the publish ends). Fragmented MP4 keeps a
 * segment readable even when ffmpeg dies before closing it.
 *
 * The publisher never waits for ffmpeg: past `maxQueuedBytes` of unwritten stdin, tags are
 * dropped up to the next keyframe. An ffmpeg that fails is reported through `onFailure` and the
 * live stream goes on.
 */
export class FfmpegRecorder implements TagSink {
  private readonly child: ChildProcessWithoutNullStreams;
  private started = false;
  private readonly dropper: KeyframeDropper;
  private reports: Promise<void> = Promise.resolve();
  /** Settles when ffmpeg exited and every file was reported. */
  readonly finished: Promise<void>;

  constructor(
    private readonly options: {
      format: "mp4" | "hls";
      dir: string;
      baseName: string;
      intervalSeconds: number;
      ffmpegPath: string;
      maxQueuedBytes: number;
      logger: Logger;
      onFile(file: FfmpegFile): Promise<void>;
      onFailure(reason: string): void;
    },
  ) {
    this.dropper = new KeyframeDropper(options.maxQueuedBytes);
    const ffmpeg = spawnFfmpeg(options.ffmpegPath, this.arguments());
    this.child = ffmpeg.child;
    if (options.format === "mp4") {
      createInterface({ input: this.child.stdout }).on("line", (line) => this.onSegmentLine(line));
    }
    this.finished = ffmpeg.exited.then(
      async (exit) => {
        if (exit.failure) {
          this.options.onFailure(
            exit.spawned ? `${exit.failure}: ${exit.stderr.trim().slice(0, 500)}` : exit.failure,
          );
        }
        if (options.format === "hls" && exit.code === 0) await this.reportPlaylist();
        await this.reports;
      },
      (err: unknown) => options.logger.error({ err }, "ffmpeg recorder failed"),
    );
  }

  /** Tags dropped because ffmpeg fell behind. */
  get droppedTags(): number {
    return this.dropper.dropped;
  }

  private arguments(): string[] {
    const { dir, baseName, intervalSeconds } = this.options;
    const input = [...FFMPEG_FLV_STDIN, "-map", "0", "-c", "copy"];
    if (this.options.format === "mp4") {
      return [
        ...input,
        "-f",
        "segment",
        "-segment_time",
        String(intervalSeconds),
        "-segment_format",
        "mp4",
        "-segment_format_options",
        "movflags=+frag_keyframe+empty_moov+default_base_moof",
        "-reset_timestamps",
        "1",
        "-segment_list",
        "pipe:1",
        "-segment_list_type",
        "csv",
        join(dir, `${baseName}_%03d.mp4`),
      ];
    }
    return [
      ...input,
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

  onTag(tag: FlvTag): void {
    const stdin = this.child.stdin;
    if (!stdin.writable) return;
    if (!this.started) {
      this.started = true;
      stdin.write(FLV_HEADER);
    }
    const cutPoint = tag.type === 18 || (tag.type === 9 && inspectVideoTag(tag.data).keyframe);
    if (!this.dropper.admit(cutPoint, stdin.writableLength)) return;
    stdin.write(encodeFlvTag(tag, tag.timestamp));
  }

  onEnd(): void {
    // Closing stdin makes ffmpeg finish the last segment and exit.
    this.child.stdin.end();
  }

  /** `name,start,end` per closed MP4 segment. */
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
        });
      } catch (err) {
        this.options.logger.error({ err, file: path }, "could not report an MP4 recording");
      }
    });
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
      });
    } catch (err) {
      this.options.logger.error({ err, file: path }, "could not report an HLS recording");
    }
  }
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

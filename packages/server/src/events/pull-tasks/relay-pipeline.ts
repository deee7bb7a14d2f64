import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawnFfmpeg } from "../../media/ffmpeg-process.js";
import { encodeFlvTag } from "../../media/flv-file.js";
import { FlvReadError, FlvReader } from "../../media/flv-reader.js";
import type { FlvTag } from "../../media/flv-tag.js";
import { type RelaySource, readerArgs, writerArgs } from "./relay-args.js";

/** Largest FLV tag a source may send (a 4K keyframe is well under it). */
const MAX_TAG_BYTES = 16 * 1024 * 1024;
/** Gap put between the last tag of one source and the first of the next (ms). */
const SOURCE_GAP_MS = 40;
/**
 * The first media of a source may take this long (ms): ffmpeg connects and probes first, and a
 * file over HTTP may take seconds to open (Tencent warns past 15 s, 267/56245).
 */
const FIRST_MEDIA_MS = 15_000;
/**
 * The FLV header says which of audio and video the stream has, and ffmpeg reading it waits for
 * each one it announces. So it is written once the first source showed both, or this much of its
 * media showed only one (ms), or `HEADER_WAIT_BYTES` are waiting.
 */
const HEADER_WAIT_MS = 1000;
const HEADER_WAIT_BYTES = 4 * 1024 * 1024;
/** How long the writer gets to flush and unpublish before it is killed (ms). */
const WRITER_GRACE_MS = 3000;

/** How playing one source ended. */
export type SourceEnd =
  | { kind: "ended"; mediaMs: number }
  | { kind: "failed"; side: "pull" | "push"; reason: string; mediaMs: number }
  | { kind: "stopped"; mediaMs: number };

/**
 * One push to one target, fed by one source after another (one file of a list, or the live
 * source again after a failure): two ffmpeg children per source, joined by this process. The
 * reader (`readerArgs`) turns the source into FLV; its tags are read (`FlvReader`, bounded),
 * moved onto the relay's single timeline and written to the writer (`writerArgs`), which pushes
 * them on. So the target sees one publish for a whole list of files, and a failure is known to
 * be the pull's (the reader died or stalled) or the push's (the writer died).
 *
 * Memory is bounded: the reader's stdout is paused while the writer's stdin is full, and a tag
 * over MAX_TAG_BYTES fails the pull.
 */
export class RelayPipeline {
  private readonly writer: ChildProcessWithoutNullStreams;
  private readonly writerExited: Promise<string>;
  private writerDead: string | null = null;
  private reader: ChildProcessWithoutNullStreams | null = null;
  /** The last timestamp written, on the relay's timeline; null before the first tag. */
  private lastOut: number | null = null;
  private wroteMedia = false;
  /** Tags held until the header is written (see HEADER_WAIT_MS). */
  private held: Buffer[] | null = [];
  private heldBytes = 0;
  private heldFrom: number | null = null;
  private readonly kinds = new Set<8 | 9>();
  private closing = false;
  private abortCurrent: ((end: SourceEnd) => void) | null = null;

  constructor(
    private readonly options: {
      ffmpegPath: string;
      targetUrl: string;
      /** No tag from the reader for this long fails the pull (ms). */
      stallMs: number;
      /** Each media tag handed to the writer (`mediaMs` is into the current source). */
      onMedia?: (mediaMs: number) => void;
      /** The writer reported more bytes written to the target than before. */
      onPushing?: () => void;
    },
  ) {
    const { child, exited } = spawnFfmpeg(options.ffmpegPath, writerArgs(options.targetUrl));
    this.writer = child;
    let progress = "";
    let written = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      // Progress lines are short; a partial one is kept (bounded) until its newline.
      const lines = (progress + chunk.toString("latin1")).split("\n");
      progress = (lines.pop() ?? "").slice(-256);
      for (const line of lines) {
        const match = /^total_size=(\d+)/.exec(line);
        if (match && Number(match[1]) > written) {
          written = Number(match[1]);
          options.onPushing?.();
        }
      }
    });
    this.writerExited = exited.then((exit) => {
      const reason = exit.failure
        ? `${exit.failure}${exit.stderr ? `: ${lastLine(exit.stderr)}` : ""}`
        : "the push ended";
      this.writerDead = reason;
      this.abortCurrent?.({ kind: "failed", side: "push", reason, mediaMs: 0 });
      return reason;
    });
  }

  /** Why the push ended, or null while it runs. */
  get pushFailure(): string | null {
    return this.writerDead;
  }

  /** Plays `source` into the push until it ends, fails, or `stopSource`/`close` is called. */
  play(source: RelaySource): Promise<SourceEnd> {
    if (this.writerDead !== null) {
      return Promise.resolve({
        kind: "failed",
        side: "push",
        reason: this.writerDead,
        mediaMs: 0,
      });
    }
    if (this.closing) return Promise.resolve({ kind: "stopped", mediaMs: 0 });
    const { child, exited } = spawnFfmpeg(this.options.ffmpegPath, readerArgs(source));
    this.reader = child;
    const flv = new FlvReader(MAX_TAG_BYTES);
    let firstIn: number | null = null;
    let offset = 0;
    let mediaMs = 0;
    let settled = false;
    let paused = false;
    let stall: NodeJS.Timeout | undefined;

    return new Promise<SourceEnd>((resolve) => {
      const finish = (end: SourceEnd) => {
        if (settled) return;
        settled = true;
        clearTimeout(stall);
        this.abortCurrent = null;
        if (this.reader === child) this.reader = null;
        if (child.exitCode === null) child.kill("SIGKILL");
        resolve({ ...end, mediaMs });
      };
      this.abortCurrent = finish;
      const armStall = (ms: number) => {
        clearTimeout(stall);
        stall = setTimeout(
          () =>
            finish({
              kind: "failed",
              side: "pull",
              reason: `no media from the source for ${ms} ms`,
              mediaMs,
            }),
          ms,
        );
      };
      armStall(Math.max(FIRST_MEDIA_MS, this.options.stallMs));

      const write = (tag: FlvTag) => {
        if (tag.type === 18) {
          // One onMetaData at the start of the push; later sources' would contradict it.
          if (this.wroteMedia) return;
        } else {
          if (firstIn === null) {
            firstIn = tag.timestamp;
            offset = (this.lastOut === null ? 0 : this.lastOut + SOURCE_GAP_MS) - firstIn;
          }
          mediaMs = Math.max(mediaMs, tag.timestamp - firstIn);
          this.wroteMedia = true;
        }
        const at =
          tag.type === 18 || firstIn === null
            ? (this.lastOut ?? 0)
            : Math.max(0, tag.timestamp + offset);
        if (tag.type !== 18) this.lastOut = Math.max(this.lastOut ?? 0, at);
        if (!this.send(tag, at) && !paused) {
          paused = true;
          child.stdout.pause();
          this.writer.stdin.once("drain", () => {
            paused = false;
            child.stdout.resume();
          });
        }
        if (tag.type !== 18) this.options.onMedia?.(mediaMs);
      };

      child.stdout.on("data", (chunk: Buffer) => {
        if (settled) return;
        let tags: FlvTag[];
        try {
          tags = flv.push(chunk);
        } catch (err) {
          const reason = err instanceof FlvReadError ? err.message : String(err);
          finish({ kind: "failed", side: "pull", reason: `unreadable FLV: ${reason}`, mediaMs });
          return;
        }
        if (tags.length > 0) armStall(this.options.stallMs);
        for (const tag of tags) write(tag);
      });
      void exited.then((exit) => {
        if (exit.failure === null) {
          finish({ kind: "ended", mediaMs });
          return;
        }
        const detail = exit.stderr ? `: ${lastLine(exit.stderr)}` : "";
        finish({ kind: "failed", side: "pull", reason: `${exit.failure}${detail}`, mediaMs });
      });
    });
  }

  /** Writes one tag (after the header, once it is known); false when the writer is full. */
  private send(tag: FlvTag, at: number): boolean {
    const bytes = encodeFlvTag(tag, at);
    if (this.held === null) return this.writer.stdin.write(bytes);
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    if (tag.type !== 18) {
      this.kinds.add(tag.type);
      this.heldFrom ??= at;
    }
    const waited = this.heldFrom !== null && at - this.heldFrom >= HEADER_WAIT_MS;
    if (this.kinds.size === 2 || waited || this.heldBytes >= HEADER_WAIT_BYTES) {
      const flags = (this.kinds.has(8) ? 0x04 : 0) | (this.kinds.has(9) ? 0x01 : 0);
      const header = Buffer.from([0x46, 0x4c, 0x56, 0x01, flags, 0, 0, 0, 9, 0, 0, 0, 0]);
      const held = this.held;
      this.held = null;
      return this.writer.stdin.write(Buffer.concat([header, ...held]));
    }
    return true;
  }

  /** Ends the source being played (it resolves `stopped`); the push stays up for the next. */
  stopSource(): void {
    this.abortCurrent?.({ kind: "stopped", mediaMs: 0 });
  }

  /**
   * Ends the current source and the push: the writer's stdin is closed so it flushes and
   * unpublishes, and is killed if it has not exited after WRITER_GRACE_MS.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.stopSource();
    this.writer.stdin.end();
    const timer = setTimeout(() => this.writer.kill("SIGKILL"), WRITER_GRACE_MS);
    await this.writerExited;
    clearTimeout(timer);
  }
}

/** The last non-empty line of ffmpeg's stderr: its reason. */
function lastLine(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "");
  return (lines.at(-1) ?? "").trim().slice(0, 300);
}

import { type FileHandle, open, rename } from "node:fs/promises";
import type { Logger } from "pino";
import { encodeFlvTag, FLV_HEADER } from "../media/flv-file.js";
import type { FlvTag } from "../media/flv-tag.js";
import { KeyframeDropper } from "../media/keyframe-dropper.js";
import type { TagSink } from "../media/media-fanout.js";
import { CutPoints } from "./cut-points.js";
import { fileMetadata } from "./flv-metadata.js";

/** A finished, synced FLV file. */
export interface FinishedSegment {
  path: string;
  startedAtMs: number;
  endedAtMs: number;
  durationMs: number;
  fileSize: number;
  /** Stream timestamp (ms) of the file's first tag (the file itself starts at 0). */
  mediaStartMs: number;
}

/** Where and how one segment is written; `partPath` is renamed to `path` once it is complete. */
export interface SegmentTarget {
  path: string;
  partPath: string;
  /** Settles when the file's sidecar is written; the file is opened only then. */
  ready?: Promise<void>;
}

/**
 * Records one live publish as FLV files, natively from its tag stream (no ffmpeg): a new file
 * starts at the first keyframe after `intervalMs` and at the end of the publish; each starts with
 * the metadata and sequence headers so it plays alone. A file is written as `…part`, synced and
 * renamed before `onSegment` reports it, so a reported file is complete and durable.
 *
 * Writes go through one queue per recorder and never block the publisher: past
 * `maxQueuedBytes` (a disk slower than the stream) tags are dropped up to the next keyframe and
 * counted, and the file keeps playing.
 */
export class FlvSegmentRecorder implements TagSink {
  private readonly cuts = new CutPoints();
  private current: {
    target: SegmentTarget;
    handle: Promise<FileHandle>;
    startedAtMs: number;
    firstTimestamp: number;
    lastTimestamp: number;
    bytes: number;
    /** File offset of onMetaData's duration (a double), patched on close. */
    durationAt: number | null;
    /** Writes skipped after this file's first failed write (it is not written to again). */
    failedWrites: number;
  } | null = null;
  private writes: Promise<void> = Promise.resolve();
  private queuedBytes = 0;
  private readonly dropper: KeyframeDropper;
  /** Settles when every segment is written and reported. */
  finished: Promise<void>;
  private finish!: () => void;

  constructor(
    private readonly options: {
      intervalMs: number;
      maxQueuedBytes: number;
      now: () => number;
      /** Where the next file goes; `mediaStartMs` is the stream timestamp of its first tag. */
      nextTarget: (startedAtMs: number, mediaStartMs: number) => SegmentTarget;
      onSegment: (segment: FinishedSegment) => Promise<void>;
      /** A write or close failed (disk full, permissions): reported once per file. */
      onFailure: (reason: string) => void;
      /**
       * A file whose writes failed, closed as it is (its `.part` and sidecar stay): the owner may
       * finish it as crash recovery would, now or at the next start.
       */
      onAbandoned?: (target: SegmentTarget) => Promise<void>;
      logger: Logger;
    },
  ) {
    this.finished = new Promise((resolve) => (this.finish = resolve));
    this.dropper = new KeyframeDropper(options.maxQueuedBytes);
  }

  /** Tags dropped because the disk fell behind. */
  get droppedTags(): number {
    return this.dropper.dropped;
  }

  onTag(tag: FlvTag): void {
    const role = this.cuts.role(tag);
    if (role === "header" || role === "skip") return; // headers start every file
    const cutPoint = role === "cut";
    if (!this.current) {
      if (!cutPoint) return;
      this.open(tag.timestamp);
    } else if (cutPoint && tag.timestamp - this.current.firstTimestamp >= this.options.intervalMs) {
      this.close();
      this.open(tag.timestamp);
    }
    if (this.dropper.admit(cutPoint, this.queuedBytes)) this.write(tag);
  }

  onEnd(): void {
    this.close();
    void this.writes.then(() => this.finish());
  }

  private open(timestamp: number): void {
    const target = this.options.nextTarget(this.options.now(), timestamp);
    const handle = (target.ready ?? Promise.resolve()).then(() => open(target.partPath, "w"));
    handle.catch(() => undefined); // reported by the first write that awaits it
    this.current = {
      target,
      handle,
      startedAtMs: this.options.now(),
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      bytes: 0,
      durationAt: null,
      failedWrites: 0,
    };
    this.enqueue(FLV_HEADER);
    const metadata = this.cuts.headers.metadata ? fileMetadata(this.cuts.headers.metadata) : null;
    if (metadata) {
      this.current.durationAt = this.current.bytes + 11 + metadata.durationOffset;
      this.enqueue(encodeFlvTag({ type: 18, timestamp: 0, data: metadata.data }, 0));
    }
    for (const header of [this.cuts.headers.video, this.cuts.headers.audio]) {
      if (header) this.enqueue(encodeFlvTag(header, 0));
    }
  }

  private write(tag: FlvTag): void {
    const current = this.current;
    if (!current) return;
    current.lastTimestamp = tag.timestamp;
    this.enqueue(encodeFlvTag(tag, (tag.timestamp - current.firstTimestamp) >>> 0));
  }

  private enqueue(bytes: Buffer): void {
    const current = this.current;
    if (!current) return;
    current.bytes += bytes.length;
    this.queuedBytes += bytes.length;
    this.writes = this.writes.then(async () => {
      try {
        // After one failure (disk full) the file gets no more writes: one log line, not one per tag.
        if (this.failedFiles.has(current.target.partPath)) current.failedWrites++;
        else await (await current.handle).write(bytes);
      } catch (err) {
        this.fail(current.target.partPath, err);
      } finally {
        this.queuedBytes -= bytes.length;
      }
    });
  }

  private close(): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    const endedAtMs = this.options.now();
    this.writes = this.writes.then(async () => {
      let handle: FileHandle | undefined;
      if (this.failedFiles.has(current.target.partPath)) {
        await (await current.handle.catch(() => null))?.close().catch(() => undefined);
        this.options.logger.warn(
          { file: current.target.partPath, skippedWrites: current.failedWrites },
          "recording file closed after a write failure; left for recovery",
        );
        await this.options.onAbandoned?.(current.target).catch(() => undefined);
        return;
      }
      try {
        handle = await current.handle;
        const durationMs = Math.max(0, current.lastTimestamp - current.firstTimestamp);
        if (current.durationAt !== null) {
          const duration = Buffer.alloc(8);
          duration.writeDoubleBE(durationMs / 1000);
          await handle.write(duration, 0, 8, current.durationAt);
        }
        await handle.sync();
        await handle.close();
        handle = undefined;
        await rename(current.target.partPath, current.target.path);
        await this.options.onSegment({
          path: current.target.path,
          startedAtMs: current.startedAtMs,
          endedAtMs,
          durationMs,
          fileSize: current.bytes,
          mediaStartMs: current.firstTimestamp,
        });
      } catch (err) {
        await handle?.close().catch(() => undefined);
        this.fail(current.target.partPath, err);
      }
    });
  }

  private readonly failedFiles = new Set<string>();

  /** Once per file: one log line (no stack: the code says it all) and one failure report. */
  private fail(file: string, err: unknown): void {
    if (this.failedFiles.has(file)) return;
    this.failedFiles.add(file);
    const code = (err as NodeJS.ErrnoException).code;
    this.options.logger.error(
      { file, code, error: err instanceof Error ? err.message : String(err) },
      "recording write failed",
    );
    this.options.onFailure(
      code === "ENOSPC"
        ? `disk full writing ${file}`
        : `could not write ${file}: ${code ?? String(err)}`,
    );
  }
}

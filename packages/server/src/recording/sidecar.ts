import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { writeFileAtomic } from "./atomic-write.js";
import type { FfmpegFormat } from "./ffmpeg-recorder.js";

/** What a file's sidecar keeps, so a file cut short by a crash can still be reported. */
export interface SegmentFacts {
  domainName: string;
  appName: string;
  streamName: string;
  streamParam: string;
  templateId: number;
  taskId: string;
  /** A CreateRecordTask recording (`taskId` is the task's id): 332 says so, 100 has no stream_param. */
  apiTask?: boolean;
  fileId: string;
  startedAtMs: number;
  /** The format's StorageTime in seconds (0: keep forever). */
  storageSeconds?: number;
  /** Media timestamp (ms) of the file's first tag: Tencent's `media_start_time` (267/38082). */
  mediaStartMs?: number;
  /** What the stream's sequence header said, for `callback_ext` (`h264`, `1920x1080`). */
  videoCodec?: string;
  resolution?: string;
}

/**
 * An ffmpeg (MP4, HLS, AAC or MP3) recording in progress, as its session file keeps it; its
 * `mediaStartMs` once ffmpeg started.
 */
export interface FfmpegSession extends SegmentFacts {
  format: FfmpegFormat;
  baseName: string;
  storageSeconds: number;
}

/** `<dir>/<baseName>.<format>.session.json`: one per ffmpeg recording until it is reported. */
export const SESSION_SUFFIX = ".session.json";
/** `<file>.flv.json`: one per FLV file until its event is committed. */
export const FLV_SIDECAR_SUFFIX = ".flv.json";

/** Written atomically: a full disk leaves the old sidecar or none, never half of one. */
export function writeSidecar(path: string, facts: SegmentFacts): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(facts));
}

/**
 * A sidecar or session file's facts, or null (one warning) when it is unreadable: empty or cut
 * short by a full disk before writes became atomic, or not OnAir's.
 */
export async function readSidecar<T extends SegmentFacts>(
  file: string,
  logger: Logger,
): Promise<T | null> {
  const text = await readFile(file, "utf8");
  try {
    const facts = JSON.parse(text) as T;
    if (typeof facts?.streamName === "string" && typeof facts.templateId === "number") return facts;
  } catch {
    // reported below
  }
  logger.warn(
    { file, bytes: Buffer.byteLength(text) },
    "unreadable recording sidecar: its media is kept but not reported",
  );
  return null;
}

/** Moves an unreadable sidecar aside (`….unreadable`), so no later start meets it again. */
export async function quarantine(file: string): Promise<void> {
  await rename(file, `${file}.unreadable`);
}

/** `20261126T115404`: file names sort by time. */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
}

/** Tencent's `file_id` for a file of a recording started at `startedAtMs`. */
export function newFileId(startedAtMs: number): string {
  return `${fileStamp(startedAtMs)}${randomBytes(4).toString("hex")}`;
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Files under `dir` (recursively) whose name ends with `suffix`; none when `dir` is missing. */
export async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name));
}

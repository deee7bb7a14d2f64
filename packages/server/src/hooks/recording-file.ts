import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";

/** What OnAir could learn about a recording file the media server reported. */
export interface RecordingFileInfo {
  /** Bytes; null when the file is not readable from OnAir (another host, permissions). */
  size: number | null;
  /** When the media server last wrote it, ms since the epoch. */
  modifiedAtMs: number | null;
  /** Media duration in seconds, from ffprobe; null when ffprobe is missing or failed. */
  durationSeconds: number | null;
}

const PROBE_TIMEOUT_MS = 10_000;

/** Stats the file and, when no duration is given, asks ffprobe for it. */
export async function inspectRecording(
  path: string,
  options: { knownDurationSeconds: number | null; ffprobe?: string },
): Promise<RecordingFileInfo> {
  const info = await stat(path).catch(() => null);
  const durationSeconds =
    options.knownDurationSeconds ??
    (info ? await probeDuration(path, options.ffprobe ?? "ffprobe") : null);
  return {
    size: info?.size ?? null,
    modifiedAtMs: info ? Math.round(info.mtimeMs) : null,
    durationSeconds,
  };
}

/** The container duration ffprobe reports, or null (no ffprobe, unreadable, no duration). */
function probeDuration(path: string, ffprobe: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(
      ffprobe,
      // `file:` keeps ffprobe from reading a protocol out of the path.
      [
        "-v",
        "error",
        "-show_entries",
        "format=duration",
        "-of",
        "default=nw=1:nk=1",
        `file:${path}`,
      ],
      { timeout: PROBE_TIMEOUT_MS },
      (err, stdout) => {
        const value = Number.parseFloat(String(stdout).trim());
        resolve(!err && Number.isFinite(value) && value >= 0 ? value : null);
      },
    );
  });
}

/** Tencent's file_format for a file name; null when the extension is not a recording format. */
export function recordingFormat(path: string): "flv" | "mp4" | "hls" | "aac" | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  switch (ext) {
    case "flv":
      return "flv";
    case "mp4":
    case "m4s":
      return "mp4";
    case "ts":
    case "m3u8":
      return "hls";
    case "aac":
    case "m4a":
      return "aac";
    default:
      return null;
  }
}

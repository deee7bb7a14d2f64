import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

/** The start of every OnAir ffmpeg command line: quiet, reading an FLV byte stream on stdin. */
export const FFMPEG_FLV_STDIN = [
  "-hide_banner",
  "-loglevel",
  "error",
  "-f",
  "flv",
  "-i",
  "pipe:0",
] as const;

/** How an ffmpeg child ended. */
export interface FfmpegExit {
  code: number | null;
  /** False when the binary could not be started at all (missing, not executable). */
  spawned: boolean;
  /** Why it failed ("ffmpeg could not start: …", "ffmpeg exited with 1"); null on exit 0. */
  failure: string | null;
  /** The last `stderrBytes` characters it wrote to stderr. */
  stderr: string;
}

/**
 * Spawns ffmpeg with piped stdio. A child that dies early closes its stdin under our writes: the
 * EPIPE is ignored here and the death reported by `exited`, which settles once, on `close` (Node
 * emits it after a spawn error too, so a missing binary is one failure, not two).
 */
export function spawnFfmpeg(
  ffmpegPath: string,
  args: readonly string[],
  stderrBytes = 2048,
): { child: ChildProcessWithoutNullStreams; exited: Promise<FfmpegExit> } {
  const child = spawn(ffmpegPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let startError: string | null = null;
  child.stdin.on("error", () => undefined);
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-stderrBytes);
  });
  const exited = new Promise<FfmpegExit>((resolve) => {
    child.on("error", (err) => {
      startError ??= `ffmpeg could not start: ${err.message}`;
    });
    child.once("close", (code, signal) => {
      const failure = startError ?? (code === 0 ? null : `ffmpeg exited with ${code ?? signal}`);
      resolve({ code, spawned: startError === null, failure, stderr });
    });
  });
  return { child, exited };
}

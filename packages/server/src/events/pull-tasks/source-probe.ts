import { execFile } from "node:child_process";

/** Longest wait for ffprobe's answer about one file (ms). */
const PROBE_TIMEOUT_MS = 5000;

/**
 * A file's duration in ms as ffprobe reads it from its container (0 when it cannot tell: a live
 * URL, an unreachable one, a container without a duration). Never rejects: the duration only
 * fills the `duration` of VodSourceFileStart and DescribeLivePullStreamTaskStatus.
 */
export function probeDurationMs(ffprobePath: string, url: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(
      ffprobePath,
      [
        "-v",
        "error",
        "-protocol_whitelist",
        "http,https,tls,tcp,crypto,rtmp,rtmps",
        "-show_entries",
        "format=duration",
        "-of",
        "default=noprint_wrappers=1:nokey=1",
        url,
      ],
      { timeout: PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024 },
      (err, stdout) => {
        const seconds = Number.parseFloat(String(stdout).trim());
        resolve(err || !Number.isFinite(seconds) || seconds < 0 ? 0 : Math.round(seconds * 1000));
      },
    );
  });
}

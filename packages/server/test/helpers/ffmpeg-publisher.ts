import { type ChildProcess, spawn } from "node:child_process";

/**
 * A real ffmpeg (Debian package) publishing a generated pattern, as a streamer would:
 * lavfi testsrc + sine, libx264 + aac, `-re` (real-time rate), FLV over RTMP.
 */
export interface FfmpegPublisher {
  child: ChildProcess;
  /** Resolves with ffmpeg's exit code (null when killed by a signal) and its stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function publishWithFfmpeg(
  url: string,
  options: {
    seconds?: number;
    size?: string;
    /** Constant video bitrate (x264 CBR with filler), for tests that need the bytes to flow. */
    videoKbps?: number;
    /** false: video only, no audio track (default true). */
    audio?: boolean;
    /** Stream timestamp of the first frame, in seconds (ffmpeg's `-output_ts_offset`; default 0). */
    startSeconds?: number;
    /** Output options before the URL, e.g. `["-tls_verify", "0"]` for an rtmps:// target. */
    outputArgs?: string[];
  } = {},
): FfmpegPublisher {
  const args = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=${options.size ?? "640x360"}:rate=25`,
    ...(options.audio === false
      ? []
      : ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]),
    ...(options.seconds === undefined ? [] : ["-t", String(options.seconds)]),
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "25",
    ...(options.videoKbps === undefined
      ? []
      : [
          ...["-b:v", "-minrate", "-maxrate"].flatMap((flag) => [flag, `${options.videoKbps}k`]),
          "-bufsize",
          `${Math.ceil((options.videoKbps ?? 0) / 2)}k`,
          "-x264-params",
          "nal-hrd=cbr:filler=1",
        ]),
    ...(options.audio === false ? [] : ["-c:a", "aac"]),
    ...(options.startSeconds === undefined
      ? []
      : ["-output_ts_offset", String(options.startSeconds)]),
    "-f",
    "flv",
    ...(options.outputArgs ?? []),
    url,
  ];
  const child = spawn("ffmpeg", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

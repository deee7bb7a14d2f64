import { type ChildProcess, spawn } from "node:child_process";

/**
 * A real ffmpeg (Debian package) publishing a generated pattern, as a streamer would:
 * lavfi testsrc + sine, libx264 + aac, `-re` (real-time rate), FLV over RTMP.
 */
export interface FfmpegPublisher {
  child: ChildProcess;
  /**
   * Date.now() when ffmpeg's `-re` clock started: with `-re`, frame N is read (captured) no
   * earlier than this + N / fps. ffmpeg 5.1 starts that clock after it has opened the RTMP
   * output and then prints "Stream mapping:", so this is the arrival of that line (measured on
   * a pipe output: frames then leave one frame period after clock + N / fps). Resolves only
   * with `reportClock`; rejects if ffmpeg exits first.
   */
  clockStarted: Promise<number>;
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
    /** Frame rate (default 25). */
    fps?: number;
    /** Keyframe interval in frames (default 25). */
    gop?: number;
    /** A video filter over the test pattern (frameStampFilter, in helpers/frame-stamp.ts). */
    videoFilter?: string;
    /** x264's `zerolatency` tune: no B-frames, no lookahead, as a live encoder for low latency. */
    zerolatency?: boolean;
    /** Log at `info` so `clockStarted` can be read from ffmpeg's stderr. */
    reportClock?: boolean;
  } = {},
): FfmpegPublisher {
  const args = [
    "-hide_banner",
    ...(options.reportClock
      ? ["-nostats", "-nostdin", "-loglevel", "info"]
      : ["-loglevel", "error"]),
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=${options.size ?? "640x360"}:rate=${options.fps ?? 25}`,
    ...(options.audio === false
      ? []
      : ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]),
    ...(options.seconds === undefined ? [] : ["-t", String(options.seconds)]),
    ...(options.videoFilter === undefined ? [] : ["-vf", options.videoFilter]),
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    ...(options.zerolatency ? ["-tune", "zerolatency"] : []),
    "-g",
    String(options.gop ?? 25),
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
  let clockSeen: (at: number) => void = () => undefined;
  const clockStarted = new Promise<number>((resolve, reject) => {
    clockSeen = resolve;
    child.once("exit", () =>
      reject(new Error(`ffmpeg exited before its clock started: ${stderr}`)),
    );
  });
  // Not every caller waits for it: an unhandled rejection must not fail their test.
  clockStarted.catch(() => undefined);
  child.stderr?.on("data", (d: Buffer) => {
    const at = Date.now();
    stderr += d.toString();
    if (options.reportClock && stderr.includes("Stream mapping:")) clockSeen(at);
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
  }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stderr })));
  return { child, clockStarted, exited };
}

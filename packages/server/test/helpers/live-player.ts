import { type ChildProcess, execFile, spawn } from "node:child_process";

/** What ffprobe saw of a live stream: its streams and every packet it read. */
export interface ProbeResult {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  packets: { codec_type: string; pts_time: number; flags: string }[];
}

/**
 * A real ffprobe (Debian package) reading `seconds` of a live play URL (RTMP or HTTP-FLV),
 * streams and packets as JSON. Rejects with ffprobe's stderr when it fails.
 */
export function probeLive(url: string, seconds: number): Promise<ProbeResult> {
  const args = [
    "-v",
    "error",
    "-read_intervals",
    `%+${seconds}`,
    "-show_entries",
    "stream=codec_type,codec_name,width,height:packet=codec_type,pts_time,flags",
    "-of",
    "json",
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile("ffprobe", args, { timeout: (seconds + 15) * 1000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`ffprobe ${url}: ${stderr || err.message}`));
        return;
      }
      const parsed = JSON.parse(stdout) as {
        streams?: ProbeResult["streams"];
        packets?: { codec_type: string; pts_time?: string; flags: string }[];
      };
      resolve({
        streams: parsed.streams ?? [],
        packets: (parsed.packets ?? [])
          .filter((p) => p.pts_time !== undefined)
          .map((p) => ({ ...p, pts_time: Number(p.pts_time) })),
      });
    });
  });
}

/** The largest gap between two consecutive packets of one kind, in seconds (and how many). */
export function largestGap(
  packets: ProbeResult["packets"],
  kind: "video" | "audio",
): { gap: number; count: number; first: number; last: number } {
  const times = packets.filter((p) => p.codec_type === kind).map((p) => p.pts_time);
  let gap = 0;
  for (let i = 1; i < times.length; i++)
    gap = Math.max(gap, (times[i] as number) - (times[i - 1] as number));
  return { gap, count: times.length, first: times[0] ?? 0, last: times.at(-1) ?? 0 };
}

/** A real ffmpeg viewer that decodes a play URL to nothing (`-f null`) until the stream ends. */
export interface FfmpegViewer {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function watchWithFfmpeg(url: string): FfmpegViewer {
  const child = spawn(
    "ffmpeg",
    ["-hide_banner", "-loglevel", "error", "-i", url, "-f", "null", "-"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
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

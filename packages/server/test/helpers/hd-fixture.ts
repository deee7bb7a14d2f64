import { spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A pre-encoded 30 fps FLV file (1080p unless told) at a constant bitrate, as an encoder at that setting sends it:
 * x264 in CBR mode (`nal-hrd=cbr` pads with filler data, so the test pattern, which compresses to
 * almost nothing, still fills the stated rate) plus 128 kbit/s AAC. Made once per machine and
 * reused (a few seconds of ffmpeg); replayed with `ffmpeg -re -c copy` it is a real HD publisher.
 */
export async function hdFixture(options: {
  mbps: number;
  seconds: number;
  /** Picture size, default 1920x1080. */
  size?: string;
}): Promise<string> {
  const size = options.size ?? "1920x1080";
  const dir = join(tmpdir(), "onair-fixtures");
  mkdirSync(dir, { recursive: true });
  const name = size === "1920x1080" ? "1080p30" : `${size}p30`;
  const file = join(dir, `${name}-${options.mbps}mbps-${options.seconds}s.flv`);
  if (existsSync(file)) return file;
  const rate = `${options.mbps}M`;
  const partial = `${file}.${process.pid}.part`;
  await run("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=30`,
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
    "-t",
    String(options.seconds),
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "60",
    "-b:v",
    rate,
    "-minrate",
    rate,
    "-maxrate",
    rate,
    "-bufsize",
    `${options.mbps / 2}M`,
    "-x264-params",
    "nal-hrd=cbr:force-cfr=1",
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    "-f",
    "flv",
    partial,
  ]);
  renameSync(partial, file);
  return file;
}

/** The outcome of one `ffmpeg -re -i FILE -c copy -f flv URL` replay. */
export interface ReplayResult {
  code: number | null;
  /** ffmpeg's own last `speed=` figure: 1 is real time. */
  speed: number;
  stderr: string;
}

/** Replays `file` to `url` at its native rate, as OBS or a hardware encoder would send it. */
export function replayAtNativeRate(file: string, url: string): Promise<ReplayResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "ffmpeg",
      ["-hide_banner", "-nostats", "-stats", "-re", "-i", file, "-c", "copy", "-f", "flv", url],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      // Progress lines repeat; keep the tail, where the last `speed=` is.
      stderr = (stderr + d.toString()).slice(-8192);
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const speeds = [...stderr.matchAll(/speed=\s*([\d.]+)x/g)];
      const last = speeds.at(-1)?.[1];
      resolve({ code, speed: last === undefined ? 0 : Number(last), stderr });
    });
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
  });
}

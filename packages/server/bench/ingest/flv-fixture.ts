import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SECONDS = 30;
const DIR = join(tmpdir(), "onair-bench");
const FILE = join(DIR, `testsrc-640x360-25fps-${SECONDS}s.flv`);

function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

function ensureFfmpeg(): void {
  if (hasCommand("ffmpeg")) return;
  console.error("ffmpeg missing: apt-get install -y ffmpeg");
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "ffmpeg"], {
    stdio: "inherit",
  });
}

/** Runs ffmpeg into a file beside `file` and renames it, so a cut run never leaves half a file. */
function encode(file: string, args: string[]): string {
  if (existsSync(file) && statSync(file).size > 0) return file;
  ensureFfmpeg();
  mkdirSync(DIR, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  try {
    execFileSync(
      "ffmpeg",
      [...["-hide_banner", "-loglevel", "error", "-y"], ...args, ...["-f", "flv", partial]],
      { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 },
    );
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
  return file;
}

/**
 * A 30 s H.264/AAC FLV made by ffmpeg from its test sources, cached across runs because encoding
 * it costs more than a short benchmark. Installs ffmpeg from apt when it is missing.
 */
export function ensureFlvFixture(): string {
  return encode(FILE, [
    ...["-f", "lavfi", "-i", "testsrc=size=640x360:rate=25"],
    ...["-f", "lavfi", "-i", "sine"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-g", "50"],
    ...["-c:a", "aac", "-t", String(SECONDS)],
  ]);
}

export interface HdFixtureOptions {
  width: number;
  height: number;
  /** Video bitrate in Mbit/s; 128 kbit/s of AAC come on top, as an encoder sends them. */
  mbps: number;
  seconds: number;
}

/**
 * An HD FLV at a constant bitrate, as an encoder at that setting sends it: x264 in CBR mode
 * (`nal-hrd=cbr` pads with filler data, so the test pattern, which compresses to almost nothing,
 * still fills the stated rate), 30 fps, a keyframe every 2 s, plus 128 kbit/s AAC. Cached like
 * the small file; the publishers loop it, so a few seconds are enough.
 */
export function ensureHdFixture(options: HdFixtureOptions): string {
  const { width, height, mbps, seconds } = options;
  const rate = `${mbps}M`;
  return encode(join(DIR, `cbr-${width}x${height}-30fps-${mbps}mbps-${seconds}s.flv`), [
    ...["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=30`],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
    ...["-t", String(seconds), "-pix_fmt", "yuv420p"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "60"],
    ...["-b:v", rate, "-minrate", rate, "-maxrate", rate, "-bufsize", `${mbps / 2}M`],
    ...["-x264-params", "nal-hrd=cbr:force-cfr=1"],
    ...["-c:a", "aac", "-b:a", "128k"],
  ]);
}

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

/**
 * A 30 s H.264/AAC FLV made by ffmpeg from its test sources, cached across runs because encoding
 * it costs more than a short benchmark. Installs ffmpeg from apt when it is missing.
 */
export function ensureFlvFixture(): string {
  if (existsSync(FILE) && statSync(FILE).size > 0) return FILE;
  if (!hasCommand("ffmpeg")) {
    console.error("ffmpeg missing: apt-get install -y ffmpeg");
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "ffmpeg"], {
      stdio: "inherit",
    });
  }
  mkdirSync(DIR, { recursive: true });
  // Written beside the cache entry and renamed, so an interrupted run never leaves half a file.
  const partial = `${FILE}.${process.pid}.partial`;
  try {
    execFileSync(
      "ffmpeg",
      [
        ...["-hide_banner", "-loglevel", "error", "-y"],
        ...["-f", "lavfi", "-i", "testsrc=size=640x360:rate=25"],
        ...["-f", "lavfi", "-i", "sine"],
        ...["-c:v", "libx264", "-preset", "veryfast", "-g", "50"],
        ...["-c:a", "aac", "-t", String(SECONDS), "-f", "flv", partial],
      ],
      { stdio: ["ignore", "ignore", "inherit"], timeout: 300_000 },
    );
    renameSync(partial, FILE);
  } finally {
    rmSync(partial, { force: true });
  }
  return FILE;
}

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A JPEG of ffmpeg's `testsrc` pattern (colour bars, counter), made by the real ffmpeg. */
export async function testPatternJpeg(size = "640x360"): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "onair-moderation-"));
  try {
    const file = join(dir, "testsrc.jpg");
    await run("ffmpeg", [
      ...["-v", "error", "-f", "lavfi", "-i", `testsrc=size=${size}`],
      ...["-frames:v", "1", "-q:v", "3", "-y", file],
    ]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

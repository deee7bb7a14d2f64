import { FFMPEG_FLV_STDIN, spawnFfmpeg } from "../media/ffmpeg-process.js";

/** A JPEG larger than this is not a screenshot: the child is killed. */
const MAX_JPEG_BYTES = 16 * 1024 * 1024;
const STDERR_TAIL_BYTES = 2048;

/** ffmpeg failed to make a JPEG: exit status, timeout or empty output, with its stderr tail. */
export class SnapshotDecodeError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "SnapshotDecodeError";
  }
}

/** ffmpeg's `-vf scale` for a template's size: 0 keeps the source's side (or its ratio). */
export function scaleFilter(width: number, height: number): string | null {
  if (width > 0 && height > 0) return `scale=${width}:${height}`;
  if (width > 0) return `scale=${width}:-1`;
  if (height > 0) return `scale=-1:${height}`;
  return null;
}

/**
 * Decodes the first video frame of an FLV byte stream into one JPEG with a one-shot ffmpeg child
 * (`-f flv -i pipe:0 -frames:v 1 … -f image2pipe pipe:1`). The JPEG comes back on stdout, so
 * nothing half-written ever lands under `/files/`. ffmpeg quits after its one frame, usually
 * before it read all of stdin: the resulting EPIPE is expected and ignored.
 *
 * @example
 * const jpeg = await decodeJpeg({ ffmpegPath: "ffmpeg", flv, width: 320, height: 0, timeoutMs: 10_000 });
 */
export function decodeJpeg(options: {
  ffmpegPath: string;
  flv: Buffer;
  width: number;
  height: number;
  timeoutMs: number;
}): Promise<Buffer> {
  const scale = scaleFilter(options.width, options.height);
  const args = [
    ...FFMPEG_FLV_STDIN,
    "-map",
    "0:v:0",
    "-frames:v",
    "1",
    ...(scale ? ["-vf", scale] : []),
    "-q:v",
    "3",
    "-c:v",
    "mjpeg",
    "-f",
    "image2pipe",
    "pipe:1",
  ];
  const { child, exited } = spawnFfmpeg(options.ffmpegPath, args, STDERR_TAIL_BYTES);
  const chunks: Buffer[] = [];
  let size = 0;
  let failure: string | null = null;
  const timer = setTimeout(() => {
    failure = `ffmpeg took longer than ${options.timeoutMs} ms`;
    child.kill("SIGKILL");
  }, options.timeoutMs);
  child.stdout.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_JPEG_BYTES) {
      failure = `ffmpeg wrote more than ${MAX_JPEG_BYTES} bytes`;
      child.kill("SIGKILL");
    } else chunks.push(chunk);
  });
  child.stdin.end(options.flv);
  return exited.then((exit) => {
    clearTimeout(timer);
    const jpeg = Buffer.concat(chunks);
    // Our kill (timeout, oversized output) explains a child that ran better than its exit code.
    const reason = exit.spawned ? (failure ?? exit.failure) : exit.failure;
    if (reason) throw new SnapshotDecodeError(reason, exit.stderr);
    if (jpeg.length === 0) throw new SnapshotDecodeError("ffmpeg wrote no frame", exit.stderr);
    return jpeg;
  });
}

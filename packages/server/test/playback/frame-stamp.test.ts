import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { decodeFrameStamp, frameStampFilter } from "../helpers/frame-stamp.js";

/**
 * The glass-to-glass harness reads frame numbers out of pictures (helpers/frame-stamp.ts). Here
 * real ffmpeg stamps known numbers, squeezes them through x264 at a bitrate far below what the
 * latency tests publish, decodes them back to RGBA, and every frame must read as its number:
 * across the carry from 8191 to 8192 and up to 16382, near the top of the 14 bits, at
 * the published 320x180 and scaled to 640x360 as a browser may draw it. A picture without a stamp must read as nothing.
 */

const run = promisify(execFile);
const FRAMES = 12;

/** The stamped test pattern from frame `offset` on, through x264 at 60 kbit/s, as RGBA frames. */
async function stampedFrames(offset: number, size: string, stamp = true): Promise<Buffer[]> {
  const [width, height] = size.split("x").map(Number) as [number, number];
  const encoded = await run(
    "sh",
    [
      "-c",
      [
        `ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=320x180:rate=25 -frames:v ${FRAMES}`,
        stamp ? `-vf "${frameStampFilter({ offset })}"` : "",
        "-pix_fmt yuv420p -c:v libx264 -preset ultrafast -tune zerolatency -b:v 60k -f h264 - |",
        `ffmpeg -hide_banner -loglevel error -f h264 -i - -vf scale=${width}:${height} -pix_fmt rgba -f rawvideo -`,
      ].join(" "),
    ],
    { encoding: "buffer", maxBuffer: 256 * 2 ** 20 },
  );
  const frame = width * height * 4;
  assert.equal(encoded.stdout.length, FRAMES * frame, encoded.stderr.toString());
  return Array.from({ length: FRAMES }, (_, i) =>
    encoded.stdout.subarray(i * frame, (i + 1) * frame),
  );
}

for (const [offset, size] of [
  [8185, "320x180"],
  [16371, "320x180"],
  [0, "640x360"],
] as const) {
  test(`frames ${offset}–${offset + FRAMES - 1} at ${size} read back as their numbers`, async () => {
    const [width, height] = size.split("x").map(Number) as [number, number];
    const read = (await stampedFrames(offset, size)).map((f) => decodeFrameStamp(f, width, height));
    assert.deepEqual(
      read,
      Array.from({ length: FRAMES }, (_, i) => offset + i),
    );
  });
}

test("a picture without a stamp reads as no number", async () => {
  const read = (await stampedFrames(0, "320x180", false)).map((f) => decodeFrameStamp(f, 320, 180));
  assert.deepEqual(read, Array(FRAMES).fill(null));
});

test("only the band is read: its rows alone decode like the whole picture", async () => {
  const [first] = await stampedFrames(4242, "320x180");
  const band = (first as Buffer).subarray(0, 320 * 30 * 4);
  assert.equal(decodeFrameStamp(band, 320, 180), 4242);
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeFlvTag, FLV_HEADER, scanFlv } from "../../src/media/flv-file.js";
import type { FlvTag } from "../../src/media/flv-tag.js";

/** A file's bytes: the header, then each tag as OnAir writes it. */
function flvFile(tags: { type: FlvTag["type"]; timestamp: number; size: number }[]): Buffer {
  return Buffer.concat([
    FLV_HEADER,
    ...tags.map((t) =>
      encodeFlvTag(
        { type: t.type, timestamp: t.timestamp, data: Buffer.alloc(t.size, 7) },
        t.timestamp,
      ),
    ),
  ]);
}

const metadata = { type: 18 as const, timestamp: 0, size: 30 };
const video = (timestamp: number) => ({ type: 9 as const, timestamp, size: 100 });
const audio = (timestamp: number) => ({ type: 8 as const, timestamp, size: 20 });

describe("scanFlv", () => {
  test("a complete file: every byte valid, the media tags' time span", () => {
    const bytes = flvFile([metadata, video(40), audio(50), video(1040)]);
    assert.deepEqual(scanFlv(bytes), {
      validBytes: bytes.length,
      firstTimestamp: 40,
      lastTimestamp: 1040,
    });
  });

  test("the header alone: 13 valid bytes, no media", () => {
    assert.deepEqual(scanFlv(Buffer.from(FLV_HEADER)), {
      validBytes: 13,
      firstTimestamp: 0,
      lastTimestamp: 0,
    });
  });

  test("metadata only: its tag counts as valid but not as media time", () => {
    const bytes = flvFile([metadata]);
    assert.deepEqual(scanFlv(bytes), {
      validBytes: bytes.length,
      firstTimestamp: 0,
      lastTimestamp: 0,
    });
  });

  test("a timestamp past 24 bits uses the extension byte", () => {
    const bytes = flvFile([video(0x01_00_00_05), video(0x7f_00_00_00)]);
    assert.deepEqual(scanFlv(bytes), {
      validBytes: bytes.length,
      firstTimestamp: 0x01_00_00_05,
      lastTimestamp: 0x7f_00_00_00,
    });
  });

  test("a tail cut anywhere inside the last tag ends before that tag", () => {
    const complete = flvFile([video(0), video(40)]);
    const lastTag = flvFile([video(40)]).length - FLV_HEADER.length;
    const end = complete.length - lastTag;
    for (let cut = end; cut < complete.length; cut++) {
      assert.deepEqual(
        scanFlv(complete.subarray(0, cut)),
        { validBytes: end, firstTimestamp: 0, lastTimestamp: 0 },
        `cut at ${cut}`,
      );
    }
  });

  test("garbage after the last tag: the walk stops where a size runs past the end", () => {
    const good = flvFile([video(0), video(40)]);
    // 0xff ff ff as a data size: far past the end.
    const bytes = Buffer.concat([good, Buffer.alloc(64, 0xff)]);
    assert.deepEqual(scanFlv(bytes), {
      validBytes: good.length,
      firstTimestamp: 0,
      lastTimestamp: 40,
    });
  });

  test("not FLV: null", () => {
    assert.equal(scanFlv(Buffer.alloc(0)), null);
    assert.equal(scanFlv(Buffer.from("FLV")), null, "shorter than the header");
    assert.equal(scanFlv(Buffer.from("RIFF0000WAVEfmt 0000")), null, "no signature");
  });

  test("a header whose DataOffset is impossible: null (truncating to it would grow the file)", () => {
    const beyond = Buffer.from(FLV_HEADER);
    beyond.writeUInt32BE(1000, 5);
    assert.equal(scanFlv(beyond), null);
    const below = Buffer.from(FLV_HEADER);
    below.writeUInt32BE(0, 5);
    assert.equal(scanFlv(below), null);
  });

  test("never throws on arbitrary bytes; validBytes stays inside the file", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Mostly-valid files: a real header, then arbitrary tag bytes.
      fc.uint8Array({ maxLength: 300 }).map((tail) => Uint8Array.from([...FLV_HEADER, ...tail])),
    );
    fc.assert(
      fc.property(bytes, (raw) => {
        const scan = scanFlv(Buffer.from(raw));
        if (scan) {
          assert.ok(scan.validBytes >= 13 && scan.validBytes <= raw.length);
          assert.ok(scan.firstTimestamp >= 0 && scan.lastTimestamp >= 0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeFlvTag, FLV_HEADER } from "../../src/media/flv-file.js";
import { FlvReadError, FlvReader } from "../../src/media/flv-reader.js";
import type { FlvTag } from "../../src/media/flv-tag.js";

const MAX = 4096;

const tagArb: fc.Arbitrary<FlvTag> = fc.record({
  type: fc.constantFrom(8 as const, 9 as const, 18 as const),
  timestamp: fc.nat({ max: 0xffffffff }),
  data: fc.uint8Array({ minLength: 1, maxLength: 600 }).map((a) => Buffer.from(a)),
});

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  const parts: Buffer[] = [];
  let at = 0;
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(at, point));
    at = point;
  }
  return parts;
}

function readAll(reader: FlvReader, chunks: Buffer[]): FlvTag[] {
  return chunks.flatMap((chunk) =>
    reader.push(chunk).map((t) => ({ ...t, data: Buffer.from(t.data) })),
  );
}

describe("FlvReader", () => {
  test("property: the tags OnAir writes come back whole, however the bytes are split", () => {
    fc.assert(
      fc.property(
        fc.array(tagArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (tags, cuts) => {
          const bytes = Buffer.concat([
            FLV_HEADER,
            ...tags.map((t) => encodeFlvTag(t, t.timestamp)),
          ]);
          const reader = new FlvReader(MAX);
          // fc.record makes prototype-less objects; compare plain ones.
          assert.deepEqual(
            readAll(reader, split(bytes, cuts)),
            tags.map((t) => ({ ...t })),
          );
          assert.equal(reader.pendingBytes, 0);
        },
      ),
    );
  });

  test("property: any bytes give tags or a FlvReadError, never more pending than one tag", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 10 }),
        (noise, withHeader, cuts) => {
          const bytes = Buffer.concat([
            withHeader ? FLV_HEADER : Buffer.alloc(0),
            Buffer.from(noise),
          ]);
          const reader = new FlvReader(MAX);
          for (const chunk of split(bytes, cuts)) {
            try {
              for (const tag of reader.push(chunk)) assert.ok(tag.data.length <= MAX);
            } catch (err) {
              assert.ok(err instanceof FlvReadError, String(err));
              return;
            }
            assert.ok(reader.pendingBytes <= 11 + MAX + 4);
          }
        },
      ),
    );
  });

  test("a tag over the bound is refused at its header, before its body is held", () => {
    const reader = new FlvReader(MAX);
    const big = encodeFlvTag({ type: 9, timestamp: 0, data: Buffer.alloc(MAX + 1) }, 0);
    assert.throws(
      () => reader.push(Buffer.concat([FLV_HEADER, big.subarray(0, 11)])),
      /more than 4096/,
    );
    assert.throws(() => reader.push(Buffer.alloc(1)), FlvReadError, "a failed reader stays failed");
  });

  test("no FLV signature, a bad DataOffset, a PreviousTagSize that does not match", () => {
    assert.throws(() => new FlvReader(MAX).push(Buffer.from("GIF89a\0\0\0")), /no FLV signature/);
    const offset = Buffer.from(FLV_HEADER);
    offset.writeUInt32BE(4, 5);
    assert.throws(() => new FlvReader(MAX).push(offset), /DataOffset 4/);
    const tag = encodeFlvTag({ type: 8, timestamp: 0, data: Buffer.alloc(5, 1) }, 0);
    tag.writeUInt32BE(99, tag.length - 4);
    assert.throws(
      () => new FlvReader(MAX).push(Buffer.concat([FLV_HEADER, tag])),
      /PreviousTagSize 99/,
    );
  });

  test("encrypted, unknown and empty tags are skipped; the 32-bit timestamp is rebuilt", () => {
    const encrypted = encodeFlvTag({ type: 9, timestamp: 0, data: Buffer.alloc(4, 2) }, 0);
    encrypted[0] = 0x29; // the Filter bit on a video tag
    const unknown = encodeFlvTag({ type: 9, timestamp: 0, data: Buffer.alloc(4, 3) }, 0);
    unknown[0] = 15;
    const empty = encodeFlvTag({ type: 8, timestamp: 0, data: Buffer.alloc(0) }, 0);
    const late = { type: 9 as const, timestamp: 0x01020304, data: Buffer.from([0x17, 1]) };
    const reader = new FlvReader(MAX);
    const tags = readAll(reader, [
      Buffer.concat([FLV_HEADER, encrypted, unknown, empty, encodeFlvTag(late, late.timestamp)]),
    ]);
    assert.deepEqual(tags, [late]);
  });
});

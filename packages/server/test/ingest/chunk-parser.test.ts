import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ChunkParser } from "../../src/ingest/rtmp/chunk-parser.js";
import { encodeChunks } from "../../src/ingest/rtmp/chunk-writer.js";
import type { RtmpMessage } from "../../src/ingest/rtmp/message-types.js";
import { RtmpProtocolError } from "../../src/ingest/rtmp/protocol-error.js";

const parser = (max = 1024 * 1024) => new ChunkParser({ maxMessageBytes: max });

/** Feeds `bytes` in pieces cut at `cuts` (offsets), returning every message. */
function feed(p: ChunkParser, bytes: Buffer, cuts: number[] = []): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)]
    .filter((c) => c > 0 && c < bytes.length)
    .sort((a, b) => a - b)) {
    out.push(...p.push(bytes.subarray(start, cut)));
    start = cut;
  }
  out.push(...p.push(bytes.subarray(start)));
  return out;
}

const setChunkSize = (size: number) => {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(size);
  return encodeChunks({ chunkStreamId: 2, typeId: 1, streamId: 0, timestamp: 0, payload }, 128);
};

const message: fc.Arbitrary<RtmpMessage> = fc.record({
  chunkStreamId: fc.oneof(
    fc.integer({ min: 3, max: 63 }),
    fc.integer({ min: 64, max: 319 }),
    fc.integer({ min: 320, max: 65599 }),
  ),
  typeId: fc.constantFrom(8, 9, 18, 20),
  streamId: fc.integer({ min: 0, max: 10 }),
  timestamp: fc.oneof(
    fc.integer({ min: 0, max: 0xfffffe }),
    fc.integer({ min: 0xffffff, max: 0xffffffff }),
  ),
  payload: fc.uint8Array({ maxLength: 1000 }).map((a) => Buffer.from(a)),
});

describe("RTMP chunk parser", () => {
  test("whatever the chunk size and wherever TCP cuts, the messages come out whole", () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 128, max: 4096 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (messages, chunkSize, cuts) => {
          const bytes = Buffer.concat([
            setChunkSize(chunkSize),
            ...messages.map((m) => encodeChunks(m, chunkSize)),
          ]);
          const got = feed(
            parser(),
            bytes,
            cuts.map((c) => c % bytes.length),
          );
          assert.deepEqual(
            got.map((m) => ({ ...m, payload: m.payload.toString("hex") })),
            messages.map((m) => ({ ...m, payload: m.payload.toString("hex") })),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  test("a three-byte chunk stream id is 64 + b1 + b2·256 (the Node-Media-Server bug)", () => {
    const bytes = Buffer.from([0x01, 0x10, 0x02, 0, 0, 5, 0, 0, 1, 8, 1, 0, 0, 0, 0xaf]);
    const [m] = parser().push(bytes);
    assert.equal(m?.chunkStreamId, 64 + 0x10 + 2 * 256);
  });

  test("type-3 continuation chunks repeat the extended timestamp (streams past 4 h 39 min)", () => {
    const m: RtmpMessage = {
      chunkStreamId: 6,
      typeId: 9,
      streamId: 1,
      timestamp: 0x01000000,
      payload: Buffer.alloc(300, 7),
    };
    const bytes = encodeChunks(m, 128);
    assert.equal(bytes.length, 12 + 4 + 128 + (1 + 4 + 128) * 2 - 128 + 44);
    const [got] = parser().push(bytes);
    assert.equal(got?.timestamp, 0x01000000);
    assert.equal(got?.payload.length, 300);
  });

  test("deltas accumulate: fmt 1/2 add their delta, a fmt 3 new message adds the last one", () => {
    const header0 = Buffer.from([0x04, 0, 0, 100, 0, 0, 1, 8, 1, 0, 0, 0, 0xaa]);
    const header1 = Buffer.from([0x44, 0, 0, 20, 0, 0, 1, 8, 0xbb]);
    const header2 = Buffer.from([0x84, 0, 0, 30, 0xcc]);
    const header3 = Buffer.from([0xc4, 0xdd]);
    const got = parser().push(Buffer.concat([header0, header1, header2, header3]));
    assert.deepEqual(
      got.map((m) => m.timestamp),
      [100, 120, 150, 180],
    );
  });

  test("Abort discards the partial message on its chunk stream", () => {
    const partial = Buffer.from([0x04, 0, 0, 0, 0, 1, 0, 8, 1, 0, 0, 0, ...Buffer.alloc(128)]);
    const abort = Buffer.from([0x02, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 0, 0, 0, 4]);
    const fresh = Buffer.from([0x04, 0, 0, 0, 0, 0, 1, 8, 1, 0, 0, 0, 0xee]);
    const got = parser().push(Buffer.concat([partial, abort, fresh]));
    assert.equal(got.length, 1);
    assert.deepEqual([...(got[0]?.payload ?? [])], [0xee]);
  });

  const protocolError = (errcode: number) => (err: unknown) =>
    err instanceof RtmpProtocolError && err.errcode === errcode;

  test("errcode 7 for a declared length over the limit, before the body arrives", () => {
    const header = Buffer.from([0x06, 0, 0, 0, 0x20, 0, 0, 9, 1, 0, 0, 0]); // 2 MiB
    assert.throws(() => parser().push(header), protocolError(7));
  });

  test("errcode 6 for a fresh chunk stream opened with fmt 2 or 3, and fmt≠3 mid-message", () => {
    assert.throws(() => parser().push(Buffer.from([0x85, 0, 0, 0])), protocolError(6));
    assert.throws(() => parser().push(Buffer.from([0xc5])), protocolError(6));
    const start = Buffer.from([0x04, 0, 0, 0, 0, 1, 0, 8, 1, 0, 0, 0, ...Buffer.alloc(128)]);
    assert.throws(
      () => parser().push(Buffer.concat([start, Buffer.from([0x44, 0, 0, 0, 0, 0, 1, 8])])),
      protocolError(6),
    );
  });

  test("errcode 6 for a chunk size out of range", () => {
    assert.throws(() => parser().push(setChunkSize(1)), protocolError(6));
    assert.throws(() => parser().push(setChunkSize(0x80000000)), protocolError(6));
  });
});

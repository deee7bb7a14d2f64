import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ChunkParser } from "../../src/ingest/rtmp/chunk-parser.js";
import { encodeChunks } from "../../src/ingest/rtmp/chunk-writer.js";
import type { RtmpMessage } from "../../src/ingest/rtmp/message-types.js";
import { RtmpProtocolError } from "../../src/ingest/rtmp/protocol-error.js";

const parser = (max = 1024 * 1024) =>
  new ChunkParser({ maxMessageBytes: max, maxPendingBytes: 4 * max, maxChunkStreams: 64 });

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

  test("nothing of the input is kept: every read through one buffer, scribbled after each push", () => {
    // What libuv does with the node's shared read buffer (shared-read-buffer.ts).
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 128, max: 4096 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }),
        (messages, chunkSize, readSizes) => {
          const bytes = Buffer.concat([
            setChunkSize(chunkSize),
            ...messages.map((m) => encodeChunks(m, chunkSize)),
          ]);
          const p = parser();
          const readBuffer = Buffer.alloc(700);
          const got: RtmpMessage[] = [];
          for (let at = 0, i = 0; at < bytes.length; i++) {
            const size = Math.min(readSizes[i % readSizes.length] as number, bytes.length - at);
            bytes.copy(readBuffer, 0, at, at + size);
            got.push(...p.push(readBuffer.subarray(0, size)));
            readBuffer.fill(0xa5);
            at += size;
          }
          assert.equal(p.pendingBytes, 0);
          assert.deepEqual(
            got.map((m) => ({ ...m, payload: m.payload.toString("hex") })),
            messages.map((m) => ({ ...m, payload: m.payload.toString("hex") })),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  test("what is held is what is counted: a message being reassembled has an allocation of its own length, the carry one chunk", () => {
    // A slab piece would pin the whole slab for as long as the peer leaves the message unfinished.
    const p = parser();
    const m: RtmpMessage = {
      chunkStreamId: 6,
      typeId: 9,
      streamId: 1,
      timestamp: 0,
      payload: Buffer.alloc(300, 7),
    };
    const [got] = p.push(encodeChunks(m, 128));
    assert.equal(got?.payload.buffer.byteLength, 300);

    // One 60,000-byte chunk arriving 1,000 bytes a read: the carry never holds more than it.
    const big: RtmpMessage = { ...m, payload: Buffer.alloc(60_000, 3) };
    const bytes = Buffer.concat([setChunkSize(60_000), encodeChunks(big, 60_000)]);
    const out: RtmpMessage[] = [];
    for (let at = 0; at < bytes.length; at += 1000) {
      out.push(...p.push(bytes.subarray(at, at + 1000)));
      assert.ok(p.pendingBytes <= 60_000 + 18, `${p.pendingBytes} bytes pending`);
    }
    assert.equal(out.length, 1);
    assert.equal(p.pendingBytes, 0);
  });

  test("before a connection publishes, its messages' slabs stay at 16 KiB however much it sends", () => {
    const prePublish = new ChunkParser({
      maxMessageBytes: 64 * 1024,
      maxPendingBytes: 128 * 1024,
      maxChunkStreams: 64,
    });
    const filler: RtmpMessage = {
      chunkStreamId: 3,
      typeId: 20,
      streamId: 0,
      timestamp: 0,
      payload: Buffer.alloc(100, 1),
    };
    const slabs = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      for (const m of prePublish.push(encodeChunks(filler, 128)))
        slabs.add(m.payload.buffer.byteLength);
    }
    assert.deepEqual([...slabs], [16 * 1024]);
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

  /** A header on chunk stream `csid` (one-byte form) declaring a `length`-byte video message. */
  const videoHeader = (csid: number, length: number) =>
    Buffer.from([csid, 0, 0, 0, length >> 16, (length >> 8) & 0xff, length & 0xff, 9, 1, 0, 0, 0]);

  test("errcode 7 when unfinished messages across chunk streams pass the pending limit", () => {
    // The memory attack in miniature: on many chunk streams, a large message minus its last byte.
    const p = new ChunkParser({
      maxMessageBytes: 1024 * 1024,
      maxPendingBytes: 3 * 1024 * 1024,
      maxChunkStreams: 64,
    });
    const length = 1024 * 1024;
    // One chunk carries all of a message but its last byte, so the message stays unfinished.
    p.push(setChunkSize(length - 1));
    const almost = (csid: number) =>
      Buffer.concat([videoHeader(csid, length), Buffer.alloc(length - 1)]);
    for (const csid of [4, 5, 6]) p.push(almost(csid));
    assert.equal(p.pendingBytes, 3 * 1024 * 1024);
    assert.throws(() => p.push(almost(7)), protocolError(7));
  });

  test("errcode 7 for a reassembled message that would pass the pending limit", () => {
    const p = new ChunkParser({
      maxMessageBytes: 64 * 1024,
      maxPendingBytes: 100 * 1024,
      maxChunkStreams: 64,
    });
    // Chunk size 128: each declared message is reassembled; the second one does not fit.
    p.push(Buffer.concat([videoHeader(4, 60 * 1024), Buffer.alloc(128)]));
    assert.throws(
      () => p.push(Buffer.concat([videoHeader(5, 60 * 1024), Buffer.alloc(128)])),
      protocolError(7),
    );
  });

  test("errcode 6 past the chunk stream limit", () => {
    const p = new ChunkParser({
      maxMessageBytes: 1024,
      maxPendingBytes: 1024 * 1024,
      maxChunkStreams: 8,
    });
    for (let csid = 3; csid < 11; csid++)
      p.push(Buffer.concat([videoHeader(csid, 1), Buffer.from([1])]));
    assert.throws(
      () => p.push(Buffer.concat([videoHeader(11, 1), Buffer.from([1])])),
      protocolError(6),
    );
  });

  test("a large chunk read in many small pieces comes out whole and holds only its bytes", () => {
    const p = parser(2 * 1024 * 1024);
    const payload = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const bytes = Buffer.concat([
      setChunkSize(0xffffff),
      encodeChunks({ chunkStreamId: 6, typeId: 9, streamId: 1, timestamp: 40, payload }, 0xffffff),
    ]);
    const out: RtmpMessage[] = [];
    for (let at = 0; at < bytes.length; at += 1000) {
      out.push(...p.push(bytes.subarray(at, at + 1000)));
      assert.ok(p.pendingBytes <= bytes.length);
    }
    assert.equal(out.length, 1);
    assert.ok(out[0]?.payload.equals(payload));
    assert.equal(p.pendingBytes, 0);
  });
});

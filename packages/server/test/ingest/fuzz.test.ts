import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type AmfValue, decodeAmf0, encodeAmf0 } from "../../src/ingest/rtmp/amf0.js";
import { ChunkParser } from "../../src/ingest/rtmp/chunk-parser.js";
import { encodeChunks } from "../../src/ingest/rtmp/chunk-writer.js";
import { RtmpProtocolError } from "../../src/ingest/rtmp/protocol-error.js";

/**
 * Fuzzing the two parsers of untrusted bytes, chunk stream and AMF0, as the session drives them:
 * 100,000+ inputs, random and mutated from a real publish sequence, each fed in random pieces.
 * The only acceptable failure is a `RtmpProtocolError` (which closes the connection with its
 * errcode); no other exception, no loop that fails to finish, and memory that stays bounded.
 */
const MAX_MESSAGE = 64 * 1024;

function publishSequence(): Buffer {
  const command = (values: AmfValue[], streamId = 0) =>
    encodeChunks(
      {
        chunkStreamId: streamId ? 8 : 3,
        typeId: 20,
        streamId,
        timestamp: 0,
        payload: encodeAmf0(values),
      },
      128,
    );
  const setChunkSize = Buffer.alloc(4);
  setChunkSize.writeUInt32BE(256);
  return Buffer.concat([
    command(["connect", 1, { app: "live", tcUrl: "rtmp://127.0.0.1/live", flashVer: "FMLE/3.0" }]),
    encodeChunks(
      { chunkStreamId: 2, typeId: 1, streamId: 0, timestamp: 0, payload: setChunkSize },
      128,
    ),
    command(["releaseStream", 2, null, "cam?txSecret=abc&txTime=65000000"]),
    command(["createStream", 4, null]),
    command(["publish", 5, null, "cam?txSecret=abc&txTime=65000000", "live"], 1),
    encodeChunks(
      {
        chunkStreamId: 4,
        typeId: 18,
        streamId: 1,
        timestamp: 0,
        payload: encodeAmf0([
          "@setDataFrame",
          "onMetaData",
          { width: 640, height: 360, encoder: "Lavf59" },
        ]),
      },
      256,
    ),
    encodeChunks(
      {
        chunkStreamId: 6,
        typeId: 9,
        streamId: 1,
        timestamp: 0x1000000,
        payload: Buffer.alloc(700, 0x17),
      },
      256,
    ),
    encodeChunks(
      {
        chunkStreamId: 4,
        typeId: 8,
        streamId: 1,
        timestamp: 40,
        payload: Buffer.from([0xaf, 1, 2, 3]),
      },
      256,
    ),
  ]);
}

const SEED = publishSequence();

/** One byte-level mutation of the seed: flip, overwrite, insert, delete, or truncate. */
const mutated = fc
  .array(
    fc.record({
      at: fc.nat({ max: SEED.length - 1 }),
      kind: fc.constantFrom("flip", "set", "insert", "delete", "truncate"),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((mutations) => {
    let bytes = Buffer.from(SEED);
    for (const { at, kind, byte } of mutations) {
      const i = at % Math.max(1, bytes.length);
      if (kind === "flip") bytes[i] = (bytes[i] as number) ^ (1 << (byte & 7));
      else if (kind === "set") bytes[i] = byte;
      else if (kind === "insert")
        bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
      else if (kind === "delete")
        bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
      else bytes = bytes.subarray(0, i);
    }
    return bytes;
  });

const random = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));

let inputs = 0;
const MAX_PENDING = 3 * MAX_MESSAGE;
const MAX_CHUNK_STREAMS = 16;

/** The session's path through the parsers: chunks → messages → AMF for command and data types. */
function run(bytes: Buffer, cuts: number[]): void {
  inputs++;
  const parser = new ChunkParser({
    maxMessageBytes: MAX_MESSAGE,
    maxPendingBytes: MAX_PENDING,
    maxChunkStreams: MAX_CHUNK_STREAMS,
  });
  let start = 0;
  try {
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)), bytes.length].sort(
      (a, b) => a - b,
    )) {
      const messages = parser.push(bytes.subarray(start, cut));
      // Whatever the input, the parser holds no more than its bounds allow.
      assert.ok(parser.pendingBytes <= MAX_PENDING, `${parser.pendingBytes} bytes pending`);
      for (const message of messages) {
        assert.ok(message.payload.length <= MAX_MESSAGE);
        if (message.typeId === 20 || message.typeId === 18) decodeAmf0(message.payload);
        if (message.typeId === 17 || message.typeId === 15) decodeAmf0(message.payload.subarray(1));
      }
      start = cut;
    }
  } catch (err) {
    if (!(err instanceof RtmpProtocolError)) throw err;
    assert.ok([6, 7, 33].includes(err.errcode));
  }
}

describe("fuzz: chunk parser and AMF0 decoder", () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const cuts = fc.array(fc.nat(), { maxLength: 6 });

  test("60,000 mutations of a real publish sequence", () => {
    fc.assert(fc.property(mutated, cuts, run), { numRuns: 60_000 });
  });

  test("40,000 random byte strings", () => {
    fc.assert(fc.property(random, cuts, run), { numRuns: 40_000 });
  });

  test("AMF0 alone: 20,000 random byte strings decode or fail with errcode 33", () => {
    fc.assert(
      fc.property(random, (bytes) => {
        inputs++;
        try {
          decodeAmf0(bytes);
        } catch (err) {
          assert.ok(err instanceof RtmpProtocolError && err.errcode === 33, String(err));
        }
      }),
      { numRuns: 20_000 },
    );
  });

  test("AMF3 (after the 0x11 switch): 20,000 random byte strings decode or fail with errcode 33", () => {
    fc.assert(
      fc.property(random, (bytes) => {
        inputs++;
        try {
          decodeAmf0(Buffer.concat([Buffer.from([0x11]), bytes]));
        } catch (err) {
          assert.ok(err instanceof RtmpProtocolError && err.errcode === 33, String(err));
        }
      }),
      { numRuns: 20_000 },
    );
  });

  test("at least 100,000 inputs ran, and memory stayed bounded", () => {
    assert.ok(inputs >= 100_000, `${inputs} inputs`);
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    assert.ok(grownMb < 200, `heap grew ${grownMb.toFixed(0)} MB`);
  });
});

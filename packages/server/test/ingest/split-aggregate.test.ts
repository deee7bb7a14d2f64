import assert from "node:assert/strict";
import { test } from "node:test";
import type { RtmpMessage } from "../../src/ingest/rtmp/message-types.js";
import { RtmpProtocolError } from "../../src/ingest/rtmp/protocol-error.js";
import { splitAggregate } from "../../src/ingest/session/rtmp-session.js";

/** One FLV tag as an aggregate carries it: 11-byte header, body, 4-byte previous tag size. */
function flvTag(type: number, timestamp: number, body: Buffer): Buffer {
  const header = Buffer.alloc(11);
  header[0] = type;
  header.writeUIntBE(body.length, 1, 3);
  header.writeUIntBE(timestamp & 0xffffff, 4, 3);
  header[7] = (timestamp >>> 24) & 0xff; // TimestampExtended: the upper 8 bits
  const previousSize = Buffer.alloc(4);
  previousSize.writeUInt32BE(11 + body.length);
  return Buffer.concat([header, body, previousSize]);
}
const aggregate = (timestamp: number, ...tags: Buffer[]): RtmpMessage => ({
  chunkStreamId: 6,
  typeId: 22,
  streamId: 1,
  timestamp,
  payload: Buffer.concat(tags),
});

test("audio and video tags, timestamps relative to the first and offset by the message's", () => {
  const audio = Buffer.from([0xaf, 0x01, 0x21]);
  const video = Buffer.from([0x17, 0x01, 0, 0, 0, 0x65]);
  const tags = splitAggregate(
    aggregate(5000, flvTag(9, 1000, video), flvTag(8, 1023, audio), flvTag(9, 1040, video)),
  );
  assert.deepEqual(
    tags.map((t) => [t.type, t.timestamp, t.data.toString("hex")]),
    [
      [9, 5000, video.toString("hex")],
      [8, 5023, audio.toString("hex")],
      [9, 5040, video.toString("hex")],
    ],
  );
});

test("the tag bodies are views into the message, not copies", () => {
  const message = aggregate(0, flvTag(8, 0, Buffer.from([1, 2, 3])));
  const [tag] = splitAggregate(message);
  assert.equal(tag?.data.buffer, message.payload.buffer);
});

test("script data and unknown tag types are skipped but their bytes consumed", () => {
  const tags = splitAggregate(
    aggregate(
      0,
      flvTag(18, 0, Buffer.from("onMetaData")),
      flvTag(8, 10, Buffer.from([0xaf])),
      flvTag(7, 20, Buffer.alloc(5)),
      flvTag(9, 30, Buffer.from([0x27])),
    ),
  );
  assert.deepEqual(
    tags.map((t) => [t.type, t.timestamp]),
    [
      [8, 10],
      [9, 30],
    ],
  );
});

test("the extended timestamp byte and 32-bit wrap-around", () => {
  const high = 0x01_00_00_10; // needs TimestampExtended
  const tags = splitAggregate(
    aggregate(
      0xffff_fff0,
      flvTag(8, high, Buffer.from([1])),
      flvTag(8, high + 0x20, Buffer.from([2])),
    ),
  );
  assert.deepEqual(
    tags.map((t) => t.timestamp),
    [0xffff_fff0, 0x10],
    "wraps like every RTMP timestamp",
  );
});

test("an empty aggregate is no tags; an empty tag body is kept", () => {
  assert.deepEqual(splitAggregate(aggregate(0)), []);
  const [tag] = splitAggregate(aggregate(0, flvTag(9, 0, Buffer.alloc(0))));
  assert.equal(tag?.data.length, 0);
});

test("a truncated header or body is malformed RTMP (errcode 6)", () => {
  const whole = flvTag(9, 0, Buffer.alloc(20, 7));
  for (const cut of [1, 10, 11, 30, whole.length - 1]) {
    assert.throws(
      () => splitAggregate(aggregate(0, flvTag(8, 0, Buffer.from([1])), whole.subarray(0, cut))),
      (err: unknown) => err instanceof RtmpProtocolError && err.errcode === 6,
      `cut at ${cut}`,
    );
  }
});

test("a size field pointing past the message end is refused, not read out of bounds", () => {
  const lying = flvTag(9, 0, Buffer.alloc(4));
  lying.writeUIntBE(0xffffff, 1, 3);
  assert.throws(() => splitAggregate(aggregate(0, lying)), RtmpProtocolError);
});

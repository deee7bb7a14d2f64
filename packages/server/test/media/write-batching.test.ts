import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { WriteHolder } from "../../src/media/write-batching.js";

/** A writable that records each call the stream machinery makes to send data. */
function recordingWritable(): { stream: Writable; calls: number[] } {
  const calls: number[] = [];
  const stream = new Writable({
    write(_chunk, _encoding, done) {
      calls.push(1);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.length);
      done();
    },
  });
  return { stream, calls };
}

test("a holder flushes every held stream together once its interval is over", async () => {
  const a = recordingWritable();
  const b = recordingWritable();
  const holder = new WriteHolder(30);
  for (const part of ["a", "b", "c"]) {
    holder.hold(a.stream);
    a.stream.write(part);
  }
  holder.hold(b.stream);
  b.stream.write("x");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual([a.calls, b.calls], [[], []], "held past the turn");
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual([a.calls, b.calls], [[3], [1]]);
  assert.equal(a.stream.writableCorked, 0);
  assert.equal(b.stream.writableCorked, 0);
});

test("writes a holder is told to pass leave at the end of the turn, not at the flush", async () => {
  const { stream, calls } = recordingWritable();
  const holder = new WriteHolder(10_000);
  holder.atOnce(stream);
  for (const part of ["header", "keyframe", "audio"]) {
    holder.hold(stream);
    stream.write(part);
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [3], "the start burst went in one writev at once");
  // Later live writes are held again until the flush.
  holder.hold(stream);
  stream.write("live");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [3]);
  holder.flush();
  assert.deepEqual(calls, [3, 1]);
  assert.equal(stream.writableCorked, 0);
});

test("what a held stream has queued leaves out the bytes held for the flush", () => {
  // A peer that reads nothing: the first write never completes, so it stays queued.
  const stream = new Writable({ write() {} });
  stream.write(Buffer.alloc(4));
  const holder = new WriteHolder(10_000);
  holder.hold(stream);
  stream.write(Buffer.alloc(100));
  assert.equal(stream.writableLength, 104);
  assert.equal(holder.queuedBytes(stream), 4, "the backlog when holding began");
  holder.flush();
  assert.equal(holder.queuedBytes(stream), stream.writableLength);
});

test("a stream already held that is told to pass leaves at the end of the turn", async () => {
  const { stream, calls } = recordingWritable();
  const holder = new WriteHolder(10_000);
  holder.hold(stream);
  stream.write("live");
  holder.atOnce(stream);
  stream.write("start");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(
    calls.reduce((sum, n) => sum + n, 0),
    2,
    "nothing waits for the flush",
  );
  assert.equal(stream.writableCorked, 0);
  holder.flush();
  assert.equal(stream.writableCorked, 0, "the flush does not uncork it twice");
});

test("a held stream that ends sends what it held; the flush after it changes nothing", async () => {
  const { stream, calls } = recordingWritable();
  const holder = new WriteHolder(10_000);
  holder.hold(stream);
  stream.write("a");
  stream.write("b");
  stream.end();
  await new Promise((resolve) => stream.once("finish", resolve));
  assert.deepEqual(calls, [2]);
  holder.flush();
  assert.deepEqual(calls, [2]);
});

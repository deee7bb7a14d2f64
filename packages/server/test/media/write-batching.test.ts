import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { batchWritesThisTick } from "../../src/media/write-batching.js";

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

test("writes of one turn leave together in one writev, at the next tick", async () => {
  const { stream, calls } = recordingWritable();
  for (const part of ["a", "b", "c"]) {
    batchWritesThisTick(stream);
    stream.write(part);
  }
  assert.deepEqual(calls, [], "held until the turn is over");
  await new Promise((resolve) => process.nextTick(resolve));
  assert.deepEqual(calls, [3]);
  // The next turn's writes are batched again, and nothing stays corked.
  batchWritesThisTick(stream);
  stream.write("d");
  stream.write("e");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [3, 2]);
  assert.equal(stream.writableCorked, 0);
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DropOldestQueue } from "../src/job-queue.js";

describe("DropOldestQueue", () => {
  it("is FIFO below capacity", () => {
    const queue = new DropOldestQueue<number>(3);
    assert.equal(queue.push(1), undefined);
    assert.equal(queue.push(2), undefined);
    assert.deepEqual([queue.shift(), queue.shift(), queue.shift()], [1, 2, undefined]);
  });

  it("evicts the oldest entry when full and keeps the newest", () => {
    const queue = new DropOldestQueue<number>(2);
    queue.push(1);
    queue.push(2);
    assert.equal(queue.push(3), 1);
    assert.equal(queue.push(4), 2);
    assert.equal(queue.length, 2);
    assert.deepEqual(queue.drain(), [3, 4]);
    assert.equal(queue.length, 0);
  });
});

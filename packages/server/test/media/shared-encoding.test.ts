import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeFlvTag } from "../../src/media/flv-file.js";
import type { FlvTag } from "../../src/media/flv-tag.js";
import { sharedEncoding } from "../../src/media/shared-encoding.js";

const tag = (): FlvTag => ({ type: 9, timestamp: 4000, data: Buffer.from([0x17, 1, 0, 0, 0, 9]) });

describe("sharedEncoding", () => {
  test("viewers on the same timeline get one buffer; another timeline gets its own bytes", () => {
    const t = tag();
    let encoded = 0;
    const encode = (ts: number) => () => {
      encoded++;
      return encodeFlvTag(t, ts);
    };
    const first = sharedEncoding(t, "0", encode(0));
    const second = sharedEncoding(t, "0", encode(0));
    assert.equal(second, first, "the same Buffer, not a copy");
    const other = sharedEncoding(t, "2000", encode(2000));
    assert.notEqual(other, first);
    assert.deepEqual(other, encodeFlvTag(t, 2000));
    assert.deepEqual(first, encodeFlvTag(t, 0));
    assert.equal(encoded, 2);
  });

  test("past the bound of timelines per tag, each gets correct bytes, encoded for it", () => {
    const t = tag();
    let encoded = 0;
    for (let round = 0; round < 2; round++) {
      for (let ts = 0; ts < 20; ts++) {
        const bytes = sharedEncoding(t, String(ts), () => {
          encoded++;
          return encodeFlvTag(t, ts);
        });
        assert.deepEqual(bytes, encodeFlvTag(t, ts));
      }
    }
    // The first 8 timelines are kept; the other 12 are encoded on each of the two rounds.
    assert.equal(encoded, 8 + 12 * 2);
  });

  test("different tags never share bytes, even with equal keys", () => {
    const a = tag();
    const b: FlvTag = { ...tag(), data: Buffer.from([0x27, 1, 0, 0, 0, 7]) };
    const bytesA = sharedEncoding(a, "0", () => encodeFlvTag(a, 0));
    const bytesB = sharedEncoding(b, "0", () => encodeFlvTag(b, 0));
    assert.deepEqual(bytesB, encodeFlvTag(b, 0));
    assert.notDeepEqual(bytesA, bytesB);
  });
});

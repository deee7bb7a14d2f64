import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyframeDropper } from "../../src/media/keyframe-dropper.js";

test("KeyframeDropper: over the limit, drops up to the next cut point, then writes again", () => {
  const dropper = new KeyframeDropper(100);
  assert.equal(dropper.admit(false, 100), true, "at the limit: written");
  assert.equal(dropper.admit(false, 101), false, "over it: dropped");
  assert.equal(dropper.admit(false, 0), false, "queue drained, but not a cut point: still dropped");
  assert.equal(dropper.admit(true, 0), true, "the next keyframe is written");
  assert.equal(dropper.admit(false, 0), true);
  assert.equal(dropper.dropped, 2);
});

test("KeyframeDropper: a cut point over the limit is dropped too, and dropping goes on", () => {
  const dropper = new KeyframeDropper(10);
  assert.equal(dropper.admit(true, 11), false);
  assert.equal(dropper.admit(false, 0), false);
  assert.equal(dropper.admit(true, 0), true);
  assert.equal(dropper.dropped, 2);
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type InterruptionEvent, type PushEvent, StreamStateTracker } from "../../src/index.js";

const base = {
  app: "push.example.com",
  appname: "live",
  stream_id: "s1",
  channel_id: "s1",
  node: "127.0.0.1",
  user_ip: "127.0.0.1",
  stream_param: "",
  t: 0,
  sign: "x",
};
const push = (sequence: string, time: number): PushEvent => ({
  ...base,
  event_type: 1,
  sequence,
  event_time: time,
});
const interruption = (sequence: string, time: number, errcode = 1): InterruptionEvent => ({
  ...base,
  event_type: 0,
  sequence,
  event_time: time,
  errcode,
  push_duration: "5000",
});

describe("StreamStateTracker", () => {
  test("push → live, interruption → offline with errcode and duration", () => {
    const tracker = new StreamStateTracker();
    assert.deepEqual(tracker.apply(push("a", 10)).changed, true);
    assert.equal(tracker.get("push.example.com/live/s1")?.status, "live");
    const { changed, state } = tracker.apply(interruption("a", 15, 3));
    assert.equal(changed, true);
    assert.equal(state?.status, "offline");
    assert.equal(state?.errcode, 3);
    assert.equal(state?.pushDurationMs, 5000);
  });

  test("a retried push arriving after its own interruption does not bring the stream back", () => {
    const tracker = new StreamStateTracker();
    tracker.apply(push("a", 10));
    tracker.apply(interruption("a", 20));
    const { changed, state } = tracker.apply(push("a", 10));
    assert.equal(changed, false);
    assert.equal(state?.status, "offline");
  });

  test("a reconnect in the same second as the interruption ends live, in either order", () => {
    for (const order of [
      [interruption("a", 20), push("b", 20)],
      [push("b", 20), interruption("a", 20)],
    ]) {
      const tracker = new StreamStateTracker();
      tracker.apply(push("a", 10));
      for (const e of order) tracker.apply(e);
      assert.equal(
        tracker.get({ app: "push.example.com", appname: "live", stream_id: "s1" })?.sequence,
        "b",
      );
      assert.equal(tracker.live().length, 1);
    }
  });

  test("while events are missing: a publish known only by its end ranks below a push at that second", () => {
    const tracker = new StreamStateTracker();
    tracker.apply(push("b", 20));
    tracker.apply(interruption("a", 20));
    assert.equal(tracker.get("push.example.com/live/s1")?.sequence, "b");
    assert.equal(tracker.get("push.example.com/live/s1")?.status, "live");
  });

  test("a publish known only by its end ranks below one pushed in that second, both ended", () => {
    const tracker = new StreamStateTracker();
    tracker.apply(interruption("z", 20));
    tracker.apply(push("b", 20));
    tracker.apply(interruption("b", 25));
    assert.equal(tracker.get("push.example.com/live/s1")?.sequence, "b");
  });

  test("two publishes pushed in the same second: the one still open is the newer", () => {
    const tracker = new StreamStateTracker();
    tracker.apply(push("z", 30));
    tracker.apply(push("a", 30));
    tracker.apply(interruption("z", 30));
    assert.equal(tracker.get("push.example.com/live/s1")?.sequence, "a");
    assert.equal(tracker.get("push.example.com/live/s1")?.status, "live");
  });

  test("a duplicate interruption changes nothing", () => {
    const tracker = new StreamStateTracker();
    tracker.apply(push("a", 10));
    tracker.apply(interruption("a", 20));
    assert.equal(tracker.apply(interruption("a", 20)).changed, false);
  });

  test("an interruption seen before its push: offline, and stays offline when the push arrives", () => {
    const tracker = new StreamStateTracker();
    tracker.apply(interruption("a", 20));
    assert.equal(tracker.list()[0]?.status, "offline");
    tracker.apply(push("a", 10));
    assert.equal(tracker.list()[0]?.status, "offline");
    assert.equal(tracker.list()[0]?.startedAt, 10);
  });

  test("other event types are ignored", () => {
    const tracker = new StreamStateTracker();
    const result = tracker.apply({ event_type: "unknown", wire_event_type: 999, raw: {} });
    assert.deepEqual(result, { changed: false, state: undefined });
  });

  test("memory is bounded: old publishes are forgotten, a late event of one does not revive it", () => {
    const tracker = new StreamStateTracker({ maxSessionsPerStream: 3 });
    for (let i = 0; i < 10; i++) {
      tracker.apply(push(`p${i}`, i * 10));
      tracker.apply(interruption(`p${i}`, i * 10 + 5));
    }
    tracker.apply(push("p9-next", 200));
    assert.equal(tracker.toJSON().streams[0]?.sessions.length, 3);
    tracker.apply(push("p0", 0));
    assert.equal(tracker.get("push.example.com/live/s1")?.sequence, "p9-next");
  });

  test("toJSON / fromJSON round-trips", () => {
    const tracker = new StreamStateTracker();
    tracker.apply(push("a", 10));
    const restored = StreamStateTracker.fromJSON(JSON.parse(JSON.stringify(tracker.toJSON())));
    assert.deepEqual(restored.list(), tracker.list());
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ViewerStats } from "../../src/playback/viewer-stats.js";

const viewer = {
  domain: "play.example.com",
  appName: "live",
  streamName: "s",
  protocol: "flv" as const,
};

describe("ViewerStats", () => {
  test("totals per stream and per play domain; online goes back down", () => {
    const stats = new ViewerStats();
    stats.joined(viewer);
    stats.joined({ ...viewer, protocol: "rtmp" });
    stats.sent(viewer, 1000);
    assert.deepEqual(stats.streams.get("live/s"), { online: 2, requests: 2, bytes: 1000 });
    assert.deepEqual(stats.domains.get("play.example.com"), {
      online: 2,
      requests: 2,
      bytes: 1000,
    });
    stats.left(viewer);
    assert.equal(stats.streams.get("live/s")?.online, 1);
  });

  test("drain: one row per key with viewers; carried while connected, then a closing zero", () => {
    const stats = new ViewerStats();
    const rtmp = { ...viewer, protocol: "rtmp" as const };
    stats.joined(viewer);
    stats.joined(viewer);
    stats.sent(viewer, 500);
    stats.left(viewer);
    stats.joined(rtmp);
    stats.left(rtmp);
    const figures = (rows: ReturnType<ViewerStats["drain"]>) =>
      rows.map((r) => [r.protocol, r.bytes, r.requests, r.online]);
    // The most at once: 2 FLV viewers; the RTMP one came and went within the interval.
    assert.deepEqual(figures(stats.drain()), [
      ["flv", 500, 2, 2],
      ["rtmp", 0, 1, 1],
    ]);
    // A silent interval: the FLV viewer still connected is counted; RTMP gets its closing row.
    assert.deepEqual(figures(stats.drain()), [
      ["flv", 0, 0, 1],
      ["rtmp", 0, 0, 0],
    ]);
    stats.sent(viewer, 200);
    stats.left(viewer);
    assert.deepEqual(figures(stats.drain()), [["flv", 200, 0, 1]]);
    assert.deepEqual(figures(stats.drain()), [["flv", 0, 0, 0]]);
    assert.deepEqual(stats.drain(), [], "nothing left to tell");
  });
});

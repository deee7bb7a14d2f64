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
    let now = 0;
    const stats = new ViewerStats(() => now);
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
    now = 1;
    assert.equal(stats.streams.get("live/s")?.online, 1);
  });

  test("minutes: a viewer connected through silent minutes is counted online in each", () => {
    let now = 10_000;
    const stats = new ViewerStats(() => now);
    stats.joined(viewer);
    stats.sent(viewer, 500);
    now = 3 * 60_000 + 5_000; // minutes 1 and 2 pass without an event
    stats.sent(viewer, 200);
    stats.left(viewer);
    now = 4 * 60_000;
    const minutes = stats.samples(0, 4 * 60_000);
    assert.deepEqual(
      [...minutes.entries()].map(([m, rows]) => [
        m / 60_000,
        rows.map((r) => [r.online, r.requests, r.bytes]),
      ]),
      [
        [0, [[1, 1, 500]]],
        [1, [[1, 0, 0]]],
        [2, [[1, 0, 0]]],
        [3, [[1, 0, 200]]],
        [4, []],
      ],
    );
  });

  test("only the last day is kept", () => {
    let now = 0;
    const stats = new ViewerStats(() => now);
    stats.joined(viewer);
    now = 3 * 24 * 3600_000;
    stats.sent(viewer, 1);
    const minutes = stats.samples(0, now);
    assert.equal(minutes.size, 24 * 60);
    assert.equal(minutes.has(0), false);
  });
});

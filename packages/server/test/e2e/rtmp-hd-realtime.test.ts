import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hdFixture, replayAtNativeRate } from "../helpers/hd-fixture.js";
import { type IngestHarness, startIngestHarness } from "./ingest-harness.js";

// Runs alone: it asserts that ffmpeg keeps real-time speed, which a busy neighbour would slow.

/**
 * Real HD bitrates keep real time with the default read coalescing. A publisher is pushed back
 * by TCP when the server reads less than it sends; ffmpeg `-re` then reports a speed below 1×.
 * Before reads drained the socket on each wake, one 64 KiB read per 100 ms capped a publisher
 * near 5 Mbit/s: a 16 Mbit/s file ran at 0.32×, a 6 Mbit/s one at 0.85×.
 */
const SECONDS = 15;
const MIN_SPEED = 0.98;

describe("HD publishers keep real time (ffmpeg -re -c copy, 1080p30)", () => {
  let h: IngestHarness;
  const files = new Map<number, string>();
  before(async () => {
    for (const mbps of [6, 16]) files.set(mbps, await hdFixture({ mbps, seconds: SECONDS }));
    h = await startIngestHarness({ idleTimeoutMs: 10_000 });
  });
  after(async () => {
    await h.stop();
  });

  for (const mbps of [6, 16]) {
    for (const count of [1, 4]) {
      test(`${count} × ${mbps} Mbit/s`, async () => {
        const file = files.get(mbps) as string;
        const streams = Array.from({ length: count }, (_, i) => `hd${mbps}x${count}n${i}`);
        const results = await Promise.all(
          streams.map((stream) => replayAtNativeRate(file, h.rtmpUrl(`live/${stream}`))),
        );
        for (const [i, result] of results.entries()) {
          assert.equal(result.code, 0, result.stderr);
          assert.ok(
            result.speed >= MIN_SPEED,
            `${streams[i]} ran at ${result.speed}× (needs ≥ ${MIN_SPEED}×)`,
          );
        }
        // Every publish was really taken in: a push and a normal end (errcode 1) each.
        for (const stream of streams) {
          const [end] = await h.events(stream, 0);
          assert.equal(end?.errcode, 1);
        }
      });
    }
  }
});

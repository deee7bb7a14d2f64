import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { PublishedStream } from "../../src/media/published-stream.js";
import { PushAnomalyDetector } from "../../src/monitoring/push-anomalies.js";
import { PushHistory } from "../../src/monitoring/push-history.js";
import { StreamPushStats } from "../../src/monitoring/push-stats.js";
import { SlidingCounter } from "../../src/monitoring/sliding-counter.js";
import { audioCodec, audioSampleRate, videoCodec } from "../../src/monitoring/tag-codecs.js";

const stream: PublishedStream = {
  key: { domainName: "push.example.com", appName: "live", streamName: "cam1" },
  sequence: "1",
  streamParam: "",
  startedAtMs: 0,
  clientIp: "127.0.0.1",
  serverIp: "127.0.0.1",
  peerChunkSize: 4096,
  width: 1280,
  height: 720,
  videoCodec: "h264",
  pushed: Promise.resolve(),
  closed: false,
  subscribe: () => () => undefined,
};

const detector = (clock: { now: number }, chunkSize = 4096) =>
  new PushAnomalyDetector({
    jumpMs: 1000,
    frameGapMs: 3000,
    maxChunkSize: 8192,
    maxDetails: 20,
    now: () => clock.now,
    chunkSize: () => chunkSize,
  });

const anyTag = fc.record({
  type: fc.constantFrom(8 as const, 9 as const, 18 as const),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
});

test("any tag bytes: the codec readers, the statistics and the detector never throw", () => {
  fc.assert(
    fc.property(fc.array(anyTag, { maxLength: 60 }), fc.nat(10_000), (tags, step) => {
      const clock = { now: 1_000_000 };
      const stats = new StreamPushStats(stream, { windowMs: 5000, now: () => clock.now });
      const watch = detector(clock);
      for (const tag of tags) {
        videoCodec(tag.data);
        audioCodec(tag.data);
        const rate = audioSampleRate(tag.data);
        assert.ok(rate === null || (Number.isInteger(rate) && rate >= 0));
        stats.onTag(tag);
        watch.onTag(tag);
        clock.now += step;
      }
      const figures = stats.figures();
      for (const [name, value] of Object.entries(figures)) {
        if (typeof value === "number") assert.ok(Number.isFinite(value) && value >= 0, name);
      }
      for (const tally of watch.take()) {
        assert.ok(tally.type >= 1 && tally.type <= 11);
        assert.ok(tally.details.length <= Math.min(20, tally.count));
      }
    }),
  );
});

const AVC_HEADER = Buffer.from([0x17, 0x00, 0, 0, 0, 0x01]);
const AAC_HEADER = Buffer.from([0xaf, 0x00, 0x11, 0x90]);

test("a clean stream (headers first, steady timestamps and arrivals) has no abnormality", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 2999 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 1, max: 200 }),
      (stepMs, arrivalMs, start, frames) => {
        const clock = { now: 0 };
        const watch = detector(clock);
        watch.onTag({ type: 9, timestamp: start, data: AVC_HEADER });
        watch.onTag({ type: 8, timestamp: start, data: AAC_HEADER });
        for (let i = 0; i < frames; i++) {
          // Timestamps wrap past 2^32 like a long publish's do: that is not a jump back.
          const ts = (start + i * stepMs) >>> 0;
          watch.onTag({ type: 9, timestamp: ts, data: Buffer.from([i % 30 ? 0x27 : 0x17, 1]) });
          watch.onTag({ type: 8, timestamp: ts, data: Buffer.from([0xaf, 0x01, 0x21]) });
          clock.now += arrivalMs;
        }
        assert.deepEqual(watch.take(), []);
      },
    ),
  );
});

test("each step back of a clean stream is one type 1; counts go past the kept details", () => {
  const clock = { now: 0 };
  const watch = detector(clock);
  watch.onTag({ type: 9, timestamp: 0, data: AVC_HEADER });
  let ts = 0;
  for (let i = 0; i < 30; i++) {
    watch.onTag({ type: 9, timestamp: ts, data: Buffer.from([0x27, 1]) });
    ts = i % 2 === 0 ? ts + 100 : ts - 50;
  }
  const [tally, ...rest] = watch.take();
  assert.deepEqual(rest, []);
  assert.equal(tally?.type, 1);
  assert.equal(tally?.count, 14);
  assert.equal(tally?.details.length, 14);
  assert.deepEqual(watch.take(), [], "take() clears the interval");
});

test("a sliding counter at a constant rate reads that rate once the window is full", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100_000 }),
      fc.integer({ min: 10, max: 100 }),
      (bytesPerFrame, framesPerSecond) => {
        const counter = new SlidingCounter(5000);
        const stepMs = 1000 / framesPerSecond;
        let now = 0;
        for (; now < 12_000; now += stepMs) counter.add(now, bytesPerFrame);
        const { bitsPerSecond, perSecond } = counter.rates(now);
        const expected = bytesPerFrame * 8 * framesPerSecond;
        assert.ok(
          Math.abs(bitsPerSecond - expected) <= expected * 0.06,
          `${bitsPerSecond} vs ${expected}`,
        );
        assert.ok(Math.abs(perSecond - framesPerSecond) <= framesPerSecond * 0.06);
        // Silence empties the window.
        assert.equal(counter.rates(now + 6000).perSecond, 0);
      },
    ),
  );
});

test("sample rates: AAC AudioSpecificConfig and the legacy rate bits", () => {
  assert.equal(audioSampleRate(Buffer.from([0xaf, 0x00, 0x11, 0x90])), 48000);
  assert.equal(audioSampleRate(Buffer.from([0xaf, 0x00, 0x12, 0x10])), 44100);
  assert.equal(audioSampleRate(Buffer.from([0xaf, 0x01, 0x21])), null);
  assert.equal(audioSampleRate(Buffer.from([0x2a])), 22050); // MP3, rate bits 2
  assert.equal(videoCodec(Buffer.from([0x17, 0x00])).name, "H264");
  assert.equal(videoCodec(Buffer.from([0x90, 0x68, 0x76, 0x63, 0x31])).name, "H265");
  assert.equal(audioCodec(Buffer.from([0xaf, 0x01])).name, "AAC");
});

test("the history keeps the window per stream name and at most maxStreams names", () => {
  const figures = (streamName: string, sequence: string, bytesIn: number) => ({
    ...new StreamPushStats(
      { ...stream, key: { ...stream.key, streamName }, sequence },
      { windowMs: 5000, now: () => 0 },
    ).figures(),
    bytesIn,
  });
  const history = new PushHistory({ windowMs: 60_000, maxStreams: 2 });
  for (let minute = 0; minute < 5; minute++) {
    history.add(minute * 30_000, figures("a", "1", minute * 1000));
  }
  const kept = history.query({ streamName: "a", fromMs: 0, toMs: 1e9, nowMs: 120_000 });
  assert.deepEqual(
    kept.map((s) => s.atMs),
    [60_000, 90_000, 120_000],
    "samples older than the window are gone",
  );
  assert.deepEqual(
    kept.map((s) => s.intervalBytes),
    [1000, 1000, 1000],
    "bytes since the publish's previous sample",
  );
  history.add(120_000, figures("a", "2", 500));
  assert.equal(
    history.query({ streamName: "a", fromMs: 120_000, toMs: 1e9, nowMs: 120_000 }).at(-1)
      ?.intervalBytes,
    500,
    "a new publish counts from its start",
  );
  history.add(120_000, figures("b", "3", 1));
  history.add(120_000, figures("c", "4", 1));
  assert.deepEqual(
    history.query({ streamName: "a", fromMs: 0, toMs: 1e9, nowMs: 120_000 }),
    [],
    "the stream sampled longest ago is forgotten past maxStreams",
  );
  assert.equal(history.query({ streamName: "c", fromMs: 0, toMs: 1e9, nowMs: 120_000 }).length, 1);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { buildRecordFileEvent } from "../../src/index.js";

const facts = (startedAtMs: number, endedAtMs: number, mediaStart: number) => ({
  appid: 1,
  app: "push.example.com",
  appname: "live",
  stream_id: "cam1",
  stream_param: "",
  file_id: "f1",
  file_format: "mp4" as const,
  task_id: "t1",
  startedAtMs,
  endedAtMs,
  durationSeconds: (endedAtMs - startedAtMs) / 1000,
  file_size: 1,
  video_url: "http://127.0.0.1/files/f1.mp4",
  media_start_time: mediaStart,
});

test("record 100: fractional times seen on the wire become Tencent's integer seconds and µs", () => {
  // Recorders compute times from media timestamps: 212004.8828125 µs came out of such a file.
  const body = buildRecordFileEvent(facts(1_700_000_000_212.005, 1_700_000_001_453.969, 0));
  assert.equal(body.start_time, 1_700_000_000);
  assert.equal(body.start_time_usec, 212_005);
  assert.equal(body.end_time_usec, 453_969);
});

test("record 100: every time field is an integer and the pair adds up to the time given", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 4e12, noNaN: true }),
      fc.double({ min: 0, max: 1e7, noNaN: true }),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      (startedAtMs, lengthMs, mediaStart) => {
        const body = buildRecordFileEvent(facts(startedAtMs, startedAtMs + lengthMs, mediaStart));
        for (const field of [
          "start_time",
          "end_time",
          "start_time_usec",
          "end_time_usec",
          "duration",
          "media_start_time",
        ] as const) {
          assert.ok(Number.isSafeInteger(body[field]), `${field} = ${body[field]}`);
        }
        const startUsec = body.start_time_usec ?? -1;
        const endUsec = body.end_time_usec ?? -1;
        assert.ok(startUsec >= 0 && startUsec < 1_000_000);
        assert.ok(endUsec >= 0 && endUsec < 1_000_000);
        const startMicros = body.start_time * 1_000_000 + startUsec;
        assert.ok(Math.abs(startMicros - startedAtMs * 1000) <= 1);
      },
    ),
    { numRuns: 2000 },
  );
});

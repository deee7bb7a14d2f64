import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type InterruptionEvent, type PushEvent, StreamStateTracker } from "../../src/index.js";

type StreamEvent = PushEvent | InterruptionEvent;

function event(kind: 0 | 1, stream: string, sequence: string, time: number): StreamEvent {
  const base = {
    app: "push.example.com",
    appname: "live",
    stream_id: stream,
    channel_id: stream,
    event_time: time,
    sequence,
    node: "127.0.0.1",
    user_ip: "127.0.0.1",
    stream_param: "",
    t: time + 600,
    sign: "x",
  };
  return kind === 1
    ? { ...base, event_type: 1, errcode: 0, errmsg: "ok" }
    : { ...base, event_type: 0, errcode: 3, errmsg: "recv() return 0", push_duration: "1000" };
}

/**
 * A valid history of one stream: publishes one after another, each push at least a second after
 * the previous push (event_time has one-second resolution), an interruption in the same second as
 * its push or as the next push allowed, the last publish possibly still open.
 */
const publishes = fc.record({
  start: fc.integer({ min: 1_700_000_000, max: 1_700_000_100 }),
  steps: fc.array(
    fc.record({ duration: fc.constantFrom(0, 0, 1, 3), gap: fc.constantFrom(0, 0, 0, 1, 5) }),
    { minLength: 1, maxLength: 6 },
  ),
  lastOpen: fc.boolean(),
});

interface PublishSpec {
  start: number;
  steps: { duration: number; gap: number }[];
  lastOpen: boolean;
}

function history(stream: string, spec: PublishSpec, serial: { n: number }): StreamEvent[] {
  const events: StreamEvent[] = [];
  let push = spec.start;
  spec.steps.forEach((step, i) => {
    // Sequences are random-looking, as Tencent's are: their order says nothing about time.
    const sequence = String(6_000_000_000_000_000_000n + BigInt((serial.n++ * 7919) % 10007));
    events.push(event(1, stream, sequence, push));
    const isLast = i === spec.steps.length - 1;
    const end = push + step.duration;
    if (!(isLast && spec.lastOpen)) events.push(event(0, stream, sequence, end));
    push = Math.max(end, push + 1) + step.gap;
  });
  return events;
}

/** Several streams' histories merged by time, keeping each stream's own order. */
const orderedHistory = fc
  .array(publishes, { minLength: 1, maxLength: 3 })
  .map((specs) => {
    const serial = { n: 0 };
    const perStream = specs.map((spec, i) => history(`stream${i}`, spec, serial));
    return perStream.flat().sort((a, b) => a.event_time - b.event_time || 0);
  })
  .filter((events) => events.length > 0);

/** The oracle: in an ordered valid history, each stream is as its last event left it. */
function expectedState(ordered: readonly StreamEvent[]) {
  const last = new Map<string, StreamEvent>();
  for (const e of ordered) last.set(`${e.app}/${e.appname}/${e.stream_id}`, e);
  return [...last.entries()]
    .map(([key, e]) => ({
      key,
      status: e.event_type === 1 ? "live" : "offline",
      sequence: e.sequence,
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

function finalState(events: readonly StreamEvent[]) {
  const tracker = new StreamStateTracker();
  for (const e of events) tracker.apply(e);
  return tracker
    .list()
    .map((s) => ({ key: s.key, status: s.status, sequence: s.sequence }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

test("any permutation with duplicates ends in the state of the ordered history", () => {
  fc.assert(
    fc.property(
      orderedHistory.chain((ordered) =>
        fc.tuple(
          fc.constant(ordered),
          fc
            .array(fc.nat(ordered.length - 1), { maxLength: ordered.length * 2 })
            .chain((duplicates) => {
              const all = [...ordered, ...duplicates.map((i) => ordered[i]!)];
              return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
            }),
        ),
      ),
      ([ordered, shuffled]) => {
        // Sorting by time is stable, so each stream's events keep their true order.
        assert.deepEqual(finalState(ordered), expectedState(ordered));
        assert.deepEqual(finalState(shuffled), expectedState(ordered));
      },
    ),
    { numRuns: 2000 },
  );
});

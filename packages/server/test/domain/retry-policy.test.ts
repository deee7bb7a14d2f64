import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EventType } from "@onair/callbacks";
import fc from "fast-check";
import {
  afterFailure,
  currentRetryPreset,
  isDeprecatedRetryPreset,
  parseRetryAfter,
  presetPolicy,
} from "../../src/domain/retry-policy.js";
import type { RetryPolicy } from "../../src/domain/types.js";

const NOW = new Date("2026-01-02T03:04:05.000Z");
const POLICY: RetryPolicy = { maxRetries: 3, intervalMs: 1000, timeoutMs: 5000, jitter: 0.5 };
const after = (attemptsMade: number, more: Partial<Parameters<typeof afterFailure>[0]> = {}) =>
  afterFailure({
    policy: POLICY,
    attemptsMade,
    now: NOW,
    random: () => 0,
    maxRetryAfterMs: 3_600_000,
    ...more,
  });
const waitOf = (next: Date | "dead") => {
  assert.ok(next instanceof Date, `expected a retry, got ${next}`);
  return next.getTime() - NOW.getTime();
};

describe("afterFailure", () => {
  test("retries while the attempts made do not exceed maxRetries, then dead", () => {
    // maxRetries 3 = 4 attempts in all: the first plus three retries.
    for (const made of [1, 2, 3]) assert.ok(after(made) instanceof Date, `after attempt ${made}`);
    assert.equal(after(4), "dead");
    assert.equal(after(100), "dead");
  });

  test("maxRetries 0: the first failure is final", () => {
    assert.equal(after(1, { policy: { ...POLICY, maxRetries: 0 } }), "dead");
  });

  test("the wait is the interval plus jitter × interval × random", () => {
    assert.equal(waitOf(after(1, { random: () => 0 })), 1000);
    assert.equal(waitOf(after(1, { random: () => 0.5 })), 1250);
    assert.equal(waitOf(after(1, { random: () => 0.999 })), 1500);
    assert.equal(waitOf(after(1, { policy: { ...POLICY, jitter: 0 }, random: () => 0.9 })), 1000);
  });

  test("Retry-After longer than the interval wins; shorter does not shorten it", () => {
    assert.equal(waitOf(after(1, { retryAfterMs: 30_000 })), 30_000);
    assert.equal(waitOf(after(1, { retryAfterMs: 10 })), 1000);
    assert.equal(waitOf(after(1, { retryAfterMs: 0 })), 1000);
  });

  test("Retry-After is capped at maxRetryAfterMs", () => {
    assert.equal(waitOf(after(1, { retryAfterMs: 86_400_000, maxRetryAfterMs: 60_000 })), 60_000);
  });

  test("Retry-After does not revive a delivery past its retries", () => {
    assert.equal(after(4, { retryAfterMs: 1000 }), "dead");
  });

  test("the wait is rounded to whole milliseconds", () => {
    const next = after(1, { policy: { ...POLICY, intervalMs: 3, jitter: 0.5 }, random: () => 0.5 });
    assert.equal(waitOf(next), 4); // 3 + 0.75
  });
});

describe("parseRetryAfter (RFC 9110 §10.2.3: delay-seconds or HTTP-date)", () => {
  test("delay-seconds, with surrounding space", () => {
    assert.equal(parseRetryAfter("0", NOW), 0);
    assert.equal(parseRetryAfter("120", NOW), 120_000);
    assert.equal(parseRetryAfter(" 5 ", NOW), 5000);
  });

  test("an HTTP-date in the future is the time until it; in the past, 0", () => {
    assert.equal(parseRetryAfter("Fri, 02 Jan 2026 03:05:05 GMT", NOW), 60_000);
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:00 GMT", NOW), 0);
  });

  test("absent, empty or unreadable: undefined", () => {
    for (const value of [undefined, "", "soon", "1.5e3x", "NaN"]) {
      assert.equal(parseRetryAfter(value, NOW), undefined, JSON.stringify(value));
    }
  });

  test("property: any header value gives undefined or a finite, non-negative wait", () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), (value) => {
        const ms = parseRetryAfter(value, NOW);
        return ms === undefined || (Number.isFinite(ms) && ms >= 0);
      }),
    );
  });

  test("property: delay-seconds round-trip", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000_000 }), (seconds) => {
        return parseRetryAfter(String(seconds), NOW) === seconds * 1000;
      }),
    );
  });

  test("property: an HTTP-date (whole seconds) after now round-trips", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400 }), (seconds) => {
        const at = new Date(NOW.getTime() + seconds * 1000);
        return parseRetryAfter(at.toUTCString(), NOW) === seconds * 1000;
      }),
    );
  });
});

test("tencent-intl: 3 retries 60 s apart, 20 s timeout, for every event type", () => {
  for (const eventType of [EventType.Push, EventType.Snapshot]) {
    assert.deepEqual(presetPolicy("tencent-intl", eventType), {
      maxRetries: 3,
      intervalMs: 60_000,
      timeoutMs: 20_000,
      jitter: 0,
    });
  }
});

test("tencent-2021: 12 retries a minute apart; screenshots 5, two minutes apart", () => {
  assert.equal(presetPolicy("tencent-2021", EventType.Push).maxRetries, 12);
  assert.equal(presetPolicy("tencent-2021", EventType.Push).intervalMs, 60_000);
  assert.equal(presetPolicy("tencent-2021", EventType.Snapshot).maxRetries, 5);
  assert.equal(presetPolicy("tencent-2021", EventType.Snapshot).intervalMs, 120_000);
});

test('"seeds" is the deprecated name of "tencent-intl"; current names pass unchanged', () => {
  assert.equal(isDeprecatedRetryPreset("seeds"), true);
  assert.equal(isDeprecatedRetryPreset("tencent-intl"), false);
  assert.equal(currentRetryPreset("seeds"), "tencent-intl");
  assert.equal(currentRetryPreset("tencent-2021"), "tencent-2021");
  assert.equal(currentRetryPreset("tencent-2021-snapshot"), "tencent-2021-snapshot");
});

test("a preset's policy is a copy: changing it changes no other", () => {
  const policy = presetPolicy("tencent-intl", EventType.Push);
  policy.maxRetries = 99;
  assert.equal(presetPolicy("tencent-intl", EventType.Push).maxRetries, 3);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { EventType } from "@onair/callbacks";
import {
  currentRetryPreset,
  isDeprecatedRetryPreset,
  presetPolicy,
} from "../../src/domain/retry-policy.js";

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

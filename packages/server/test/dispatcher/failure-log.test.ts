import assert from "node:assert/strict";
import { test } from "node:test";
import { createFailureLog, FAILURES_PER_REMINDER } from "../../src/dispatcher/failure-log.js";
import { captureLogs } from "../helpers/log-capture.js";

const failure = (url: string, n: number) => ({
  url,
  deliveryId: `msg_${n}`,
  errorCode: "timeout",
  errorMessage: "no answer in 20000 ms",
  statusCode: null,
  nextAttemptAt: new Date(Date.UTC(2026, 11, 2, 6, 31)),
});

test("a line when an endpoint starts failing, one per FAILURES_PER_REMINDER after, one when it recovers", () => {
  const { logger, lines } = captureLogs("info");
  const log = createFailureLog(logger);
  const failures = FAILURES_PER_REMINDER * 2 + 50;
  for (let i = 0; i < failures; i++) log.failed(failure("http://a.test/cb", i));
  log.failed({ ...failure("http://b.test/cb", 0), nextAttemptAt: null });
  log.succeeded("http://a.test/cb");
  log.succeeded("http://c.test/never-failed");
  assert.deepEqual(
    lines.map((l) => [l.level, l.url, l.msg]),
    [
      [
        40,
        "http://a.test/cb",
        "callback endpoint failing (timeout): next attempt at 2026-12-02T06:31:00.000Z",
      ],
      [
        40,
        "http://a.test/cb",
        `callback endpoint still failing (timeout): ${FAILURES_PER_REMINDER} failed attempts`,
      ],
      [
        40,
        "http://a.test/cb",
        `callback endpoint still failing (timeout): ${FAILURES_PER_REMINDER * 2} failed attempts`,
      ],
      [40, "http://b.test/cb", "callback endpoint failing (timeout): delivery dead"],
      [30, "http://a.test/cb", `callback endpoint answers again after ${failures} failed attempts`],
    ],
  );
});

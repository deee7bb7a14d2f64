import assert from "node:assert/strict";
import { test } from "node:test";
import { guardedLookup } from "../../src/dispatcher/ssrf-guard.js";
import { pushBody } from "../e2e/push-body.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import { startTestDispatcher, type TestDispatcherOptions } from "../helpers/test-dispatcher.js";

type Lookup = NonNullable<TestDispatcherOptions["lookup"]>;

/**
 * One delivery to `url` through a real dispatcher whose name resolution answers `answer`, as a
 * rebinding DNS would; returns the recorded attempt.
 */
async function deliverOnce(options: { url: string; answer: string; allowPrivate: boolean }) {
  const lookup: Lookup = (_host, _opts, callback) =>
    callback(null, options.answer, options.answer.includes(":") ? 6 : 4);
  const d = await startTestDispatcher({
    flags: { callbackAllowPrivate: options.allowPrivate, dispatcher: { pollIntervalMs: 30 } },
    lookup,
  });
  try {
    await routeCallbacks(d.store, {
      urls: { StreamBeginNotifyUrl: options.url },
      callbackKey: "SsrfKey",
      retryPolicy: { maxRetries: 0, intervalMs: 100, timeoutMs: 2000, jitter: 0 },
      domainName: "d.example",
      appName: "live",
    });
    const { deliveryIds } = await d.committer.commit({
      body: pushBody("d.example", 1, 8_000_000_000_000_000_000n),
      domainName: "d.example",
      appName: "live",
      streamId: "s1",
      source: "intake",
    });
    const id = deliveryIds[0] as string;
    await d.waitForStatus(id, "dead");
    const [attempt] = await d.store.deliveries.attempts(id);
    return attempt;
  } finally {
    await d.close();
  }
}

test("at connect time, a name resolving to an IPv6 form of the metadata address is refused", async () => {
  for (const answer of [
    "64:ff9b::a9fe:a9fe",
    "::a9fe:a9fe",
    "::ffff:0:a9fe:a9fe",
    "2002:a9fe:a9fe::1",
  ]) {
    const attempt = await deliverOnce({
      url: "http://rebind.attacker.example:8080/x",
      answer,
      allowPrivate: true,
    });
    assert.equal(attempt?.errorCode, "ssrf_blocked", answer);
    assert.match(attempt?.errorMessage ?? "", /169\.254\.169\.254/, answer);
  }
});

test("at connect time, an IPv6 form of loopback is refused when callbackAllowPrivate is false", async () => {
  const attempt = await deliverOnce({
    url: "http://rebind.attacker.example:8080/x",
    answer: "64:ff9b::7f00:1",
    allowPrivate: false,
  });
  assert.equal(attempt?.errorCode, "ssrf_blocked");
  assert.match(attempt?.errorMessage ?? "", /NAT64 form of 127\.0\.0\.1/);
});

test("a stored IPv6-literal URL of an embedded link-local address is refused before connecting", async () => {
  const attempt = await deliverOnce({
    url: "http://[::ffff:0:a9fe:a9fe]/latest/meta-data",
    answer: "203.0.113.1",
    allowPrivate: true,
  });
  assert.equal(attempt?.errorCode, "ssrf_blocked");
});

test("guardedLookup refuses when any resolved address is an embedded link-local one", async () => {
  const lookup = guardedLookup(true, (_host, _opts, callback) =>
    callback(null, [
      { address: "203.0.113.1", family: 4 },
      { address: "64:ff9b::169.254.169.254", family: 6 },
    ]),
  );
  const err = await new Promise<unknown>((resolve) => lookup("x.example", { all: true }, resolve));
  assert.ok(err instanceof Error && err.name === "SsrfBlockedError");
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { loadConfig } from "../../src/config/load-config.js";
import { createDispatcher } from "../../src/dispatcher/dispatcher.js";
import { guardedLookup } from "../../src/dispatcher/ssrf-guard.js";
import { systemClock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createNodeEvents } from "../../src/observability/node-events.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { pushBody } from "../e2e/push-body.js";

type Lookup = NonNullable<Parameters<typeof createDispatcher>[0]["lookup"]>;

/**
 * One delivery to `url` through a real dispatcher whose name resolution answers `answer`, as a
 * rebinding DNS would; returns the recorded attempt.
 */
async function deliverOnce(options: { url: string; answer: string; allowPrivate: boolean }) {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-ssrf6-"));
  const config = loadConfig({
    env: {},
    flags: {
      dataDir,
      callbackAllowPrivate: options.allowPrivate,
      dispatcher: { pollIntervalMs: 30 },
    },
  });
  const store = createSqliteStore({ path: join(dataDir, "onair.db") });
  await store.migrate();
  const lookup: Lookup = (_host, _opts, callback) =>
    callback(null, options.answer, options.answer.includes(":") ? 6 : 4);
  const nodeEvents = createNodeEvents((_name, err) => {
    throw err;
  });
  const dispatcher = createDispatcher({
    store,
    nodeEvents,
    config,
    clock: systemClock,
    logger: pino({ level: "silent" }),
    metrics: createMetrics({ queue: store.deliveries, clock: systemClock }),
    nodeId: "test",
    lookup,
  });
  const committer = createEventCommitter({
    store,
    config,
    clock: systemClock,
    newId,
    nodeEvents,
  });
  try {
    const template = await store.templates.create({
      name: "t",
      description: "",
      urls: { StreamBeginNotifyUrl: options.url },
      recordExceptionLevels: [],
      callbackKey: "SsrfKey",
      previousKeys: [],
      retryPolicy: { maxRetries: 0, intervalMs: 100, timeoutMs: 2000, jitter: 0 },
      perStreamOrdering: false,
    });
    await store.rules.upsert({ domainName: "d.example", appName: "live", templateId: template.id });
    dispatcher.start();
    const { deliveryIds } = await committer.commit({
      body: pushBody("d.example", 1, 8_000_000_000_000_000_000n),
      domainName: "d.example",
      appName: "live",
      streamId: "s1",
      source: "intake",
    });
    const id = deliveryIds[0] as string;
    for (;;) {
      const delivery = await store.deliveries.get(id);
      if (delivery?.status === "dead") break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const [attempt] = await store.deliveries.attempts(id);
    return attempt;
  } finally {
    await dispatcher.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
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

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { pino } from "pino";
import { loadConfig } from "../../src/config/load-config.js";
import { createDispatcher, type Dispatcher } from "../../src/dispatcher/dispatcher.js";
import { systemClock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import type { RetryPolicy } from "../../src/domain/types.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createNodeEvents } from "../../src/observability/node-events.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { pushBody } from "./push-body.js";
import { type ReceiverProcess, startReceiver } from "./receiver.js";

const KEY = "BehaviourKey";
const FAST: RetryPolicy = { maxRetries: 3, intervalMs: 100, timeoutMs: 400, jitter: 0 };

/** A store, a dispatcher and a committer wired as the app wires them, with test settings. */
async function harness(
  options: {
    flags?: Record<string, unknown>;
    lookup?: Parameters<typeof createDispatcher>[0]["lookup"];
  } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-dispatch-"));
  const config = loadConfig({
    env: {},
    flags: { dataDir, dispatcher: { pollIntervalMs: 30 }, ...options.flags },
  });
  const store: Store = createSqliteStore({ path: join(dataDir, "onair.db") });
  await store.migrate();
  const logger = pino({ level: "silent" });
  const nodeEvents = createNodeEvents((_name, err) => {
    throw err;
  });
  const dispatcher: Dispatcher = createDispatcher({
    store,
    nodeEvents,
    config,
    clock: systemClock,
    logger,
    metrics: createMetrics({ queue: store.deliveries, clock: systemClock }),
    nodeId: "test",
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const committer = createEventCommitter({
    store,
    config,
    clock: systemClock,
    newId,
    nodeEvents,
  });
  dispatcher.start();
  return {
    store,
    dispatcher,
    async configure(
      url: string,
      extra: { perStreamOrdering?: boolean; policy?: RetryPolicy } = {},
    ) {
      const template = await store.templates.create({
        name: "t",
        description: "",
        urls: { StreamBeginNotifyUrl: url },
        recordExceptionLevels: [],
        callbackKey: KEY,
        previousKeys: [],
        retryPolicy: extra.policy ?? FAST,
        perStreamOrdering: extra.perStreamOrdering ?? false,
      });
      await store.rules.upsert({
        domainName: "d.example",
        appName: "live",
        templateId: template.id,
      });
    },
    async emit(i: number, stream = `s${i}`) {
      const body = pushBody("d.example", i, 9_000_000_000_000_000_000n);
      body.stream_id = stream;
      const { deliveryIds } = await committer.commit({
        body,
        domainName: "d.example",
        appName: "live",
        streamId: stream,
        source: "intake",
      });
      return deliveryIds[0]!;
    },
    async waitFor(id: string, status: string, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const delivery = await store.deliveries.get(id);
        if (delivery?.status === status) return delivery;
        assert.ok(
          Date.now() < deadline,
          `delivery ${id} is ${delivery?.status}, expected ${status}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await dispatcher.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe("dispatcher behaviour against a receiver process", () => {
  let receiver: ReceiverProcess | undefined;
  let h: Awaited<ReturnType<typeof harness>> | undefined;
  beforeEach(() => {
    receiver = undefined;
    h = undefined;
  });
  afterEach(async () => {
    await h?.close();
    await receiver?.stop();
  });

  test("a receiver that hangs: the attempt ends at the timeout (code timeout) and is retried", async () => {
    receiver = await startReceiver({ key: KEY, script: "hang,200" });
    h = await harness();
    await h.configure(receiver.url);
    const id = await h.emit(1);
    await h.waitFor(id, "delivered");
    const attempts = await h.store.deliveries.attempts(id);
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0]?.errorCode, "timeout");
    assert.ok(
      (attempts[0]?.durationMs ?? 0) >= 350,
      `ended at the timeout, not before (${attempts[0]?.durationMs} ms)`,
    );
    assert.equal(attempts[1]?.statusCode, 200);
  });

  test("429 with Retry-After: 1 waits a second although the interval is 100 ms", async () => {
    receiver = await startReceiver({ key: KEY, script: "429:1,200" });
    h = await harness();
    await h.configure(receiver.url);
    const id = await h.emit(2);
    await h.waitFor(id, "delivered");
    const [first, second] = await receiver.waitFor(2);
    assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms`);
    assert.equal((await h.store.deliveries.attempts(id))[0]?.errorCode, "http_status");
  });

  test("per-stream ordering: the second event waits until the first is delivered", async () => {
    receiver = await startReceiver({ key: KEY, script: "500,500,200" });
    h = await harness();
    await h.configure(receiver.url, { perStreamOrdering: true });
    const first = await h.emit(3, "ordered");
    const second = await h.emit(4, "ordered");
    await h.waitFor(second, "delivered");
    const order = receiver.received.map((r) => r.webhookId);
    assert.deepEqual(order, [first, first, first, second]);
  });

  test("an endpoint failing past the limit is disabled, then re-enabled with one call", async () => {
    receiver = await startReceiver({ key: KEY, script: "500,500,200" });
    h = await harness({
      flags: { dispatcher: { pollIntervalMs: 30, disableEndpointAfterMs: 50 } },
    });
    await h.configure(receiver.url, { policy: { ...FAST, maxRetries: 50 } });
    const id = await h.emit(5);
    const deadline = Date.now() + 10_000;
    while (!(await h.store.endpoints.get(receiver.url))?.disabledAt) {
      assert.ok(Date.now() < deadline, "endpoint never disabled");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const disabledAttempts = () =>
      h!.store.deliveries
        .attempts(id)
        .then((all) => all.filter((a) => a.errorCode === "endpoint_disabled").length);
    while ((await disabledAttempts()) === 0)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const sentWhileDisabled = receiver.received.length;
    assert.ok(await h.store.endpoints.enable(receiver.url));
    await h.waitFor(id, "delivered");
    assert.ok(receiver.received.length > sentWhileDisabled, "delivered after re-enable");
  });

  test("SSRF: a name resolving to a refused address is stopped at connect time", async () => {
    receiver = await startReceiver({ key: KEY });
    const port = new URL(receiver.url).port;
    // The name resolves to loopback, as a rebinding attacker's DNS would answer at send time.
    h = await harness({
      flags: { callbackAllowPrivate: false },
      lookup: (_host, _options, callback) => callback(null, "127.0.0.1", 4),
    });
    await h.configure(`http://rebind.attacker.example:${port}/x`, {
      policy: { ...FAST, maxRetries: 0 },
    });
    const id = await h.emit(6);
    await h.waitFor(id, "dead");
    const [attempt] = await h.store.deliveries.attempts(id);
    assert.equal(attempt?.errorCode, "ssrf_blocked");
    assert.match(attempt?.errorMessage ?? "", /private or loopback/);
    assert.equal(receiver.received.length, 0, "nothing reached the receiver");
  });

  test("SSRF: link-local metadata addresses are refused even when private addresses are allowed", async () => {
    h = await harness({ flags: { callbackAllowPrivate: true } });
    await h.configure("http://169.254.169.254/latest/meta-data", {
      policy: { ...FAST, maxRetries: 0 },
    });
    const id = await h.emit(7);
    await h.waitFor(id, "dead");
    assert.equal((await h.store.deliveries.attempts(id))[0]?.errorCode, "ssrf_blocked");
  });

  test("graceful stop lets an in-flight attempt finish and records it", async () => {
    receiver = await startReceiver({ key: KEY, script: "delay:200" });
    h = await harness();
    await h.configure(receiver.url);
    const id = await h.emit(8);
    await receiver.waitFor(1);
    await h.dispatcher.stop();
    const delivery = await h.store.deliveries.get(id);
    assert.equal(delivery?.status, "delivered");
    assert.equal(delivery?.leaseOwner, null);
  });
});

import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { EventType, hasValidWebhookSignature, isValidSign } from "@onair/callbacks";
import { loadConfig } from "../../src/config/load-config.js";
import { OPERATOR_ALERT_EVENT_TYPE } from "../../src/domain/operator-alert.js";
import type { RetryPolicy } from "../../src/domain/types.js";
import { pushBody } from "../e2e/push-body.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import {
  type ReceivedRequest,
  type RecordingReceiver,
  startRecordingReceiver,
} from "../helpers/recording-receiver.js";
import { dropSchemas, schemaUrl, uniqueSchema } from "../helpers/test-database.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { quietPeriod, waitFor } from "../helpers/wait-for.js";

const ALERT_KEY = "operator-alert-key-0123456789";
const KEY = "TemplateCallbackKey";

/** A node whose alerts go to `alerts`, with short test-only thresholds. */
async function alertingNode(alerts: RecordingReceiver, flags: Record<string, unknown> = {}) {
  return startTestOnAir({
    flags: {
      ...flags,
      dispatcher: { pollIntervalMs: 20, ...(flags.dispatcher as object) },
      alerts: { url: alerts.url, key: ALERT_KEY, ...(flags.alerts as object) },
    },
  });
}

async function commitPush(node: TestOnAir, policy: RetryPolicy, url: string, i = 1) {
  if ((await node.onair.store.templates.list()).length === 0) {
    await routeCallbacks(node.onair.store, {
      urls: { StreamBeginNotifyUrl: url },
      callbackKey: KEY,
      retryPolicy: policy,
      domainName: "d.example",
      appName: "live",
    });
  }
  const body = pushBody("d.example", i, 9_000_000_000_000_000_000n);
  return node.onair.events.commit({
    body,
    domainName: "d.example",
    appName: "live",
    streamId: String(body.stream_id),
    source: "intake",
  });
}

function alertsOf(receiver: RecordingReceiver, kind: string): ReceivedRequest[] {
  return receiver.received.filter((r) => r.json.alert === kind);
}

/** The alert is signed like every callback: `sign` = MD5(key + t) and `webhook-signature`. */
function assertSigned(request: ReceivedRequest): void {
  assert.equal(request.json.event_type, OPERATOR_ALERT_EVENT_TYPE);
  assert.ok(isValidSign(ALERT_KEY, String(request.json.t), String(request.json.sign)));
  assert.ok(
    hasValidWebhookSignature({
      id: String(request.headers["webhook-id"]),
      timestamp: String(request.headers["webhook-timestamp"]),
      header: String(request.headers["webhook-signature"]),
      body: request.body,
      keys: [ALERT_KEY],
    }),
    "webhook-signature verifies with alerts.key",
  );
}

test("alerts.url without alerts.key is a configuration error naming the key", () => {
  assert.throws(
    () => loadConfig({ env: {}, flags: { alerts: { url: "https://ops.example.com/alerts" } } }),
    (err: { code?: string; message?: string }) =>
      err.code === "ONAIR_ERR_CONFIG" &&
      /alerts\.key: alerts\.key is required/.test(err.message ?? ""),
  );
  const config = loadConfig({ env: {}, flags: {} });
  assert.equal(config.alerts.url, undefined);
  assert.equal(config.alerts.queueAgeMs, 15 * 60_000);
});

describe("operator alerts", { timeout: 30_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const clean of cleanups.reverse()) await clean();
  });

  test("an endpoint failing until it is disabled, then enabled again: one alert each", async () => {
    const alerts = await startRecordingReceiver("/alerts");
    const failing = await startRecordingReceiver();
    failing.answer(500);
    const node = await alertingNode(alerts, { dispatcher: { disableEndpointAfterMs: 300 } });
    cleanups.push(node.stop, alerts.close, failing.close);
    const fast = { maxRetries: 50, intervalMs: 50, timeoutMs: 1000, jitter: 0 };
    await commitPush(node, fast, failing.url);

    const [disabled] = await waitFor("the endpoint_disabled alert", () =>
      alertsOf(alerts, "endpoint_disabled").length > 0
        ? alertsOf(alerts, "endpoint_disabled")
        : null,
    );
    assert.ok(disabled);
    assertSigned(disabled);
    assert.equal(disabled.json.url, failing.url);
    assert.match(String(disabled.json.reason), /^failing for \d+ s$/);
    assert.match(String(disabled.json.message), /disabled/);
    assert.ok(failing.received.length >= 2, "it failed several times first");

    // The operator re-enables it through the API: told once more.
    failing.answer(200);
    await node.sdk.request("EnableCallbackEndpoint", { Url: failing.url });
    const [enabled] = await waitFor("the endpoint_enabled alert", () =>
      alertsOf(alerts, "endpoint_enabled").length > 0 ? alertsOf(alerts, "endpoint_enabled") : null,
    );
    assert.ok(enabled);
    assertSigned(enabled);
    assert.equal(alertsOf(alerts, "endpoint_disabled").length, 1);
    // The dashboard is told too: the alerts are stored events of their own type.
    const stored = await node.onair.store.events.list({
      eventTypes: [OPERATOR_ALERT_EVENT_TYPE],
      limit: 10,
    });
    assert.deepEqual(stored.map((e) => e.body.alert).sort(), [
      "endpoint_disabled",
      "endpoint_enabled",
    ]);
  });

  test("a dead delivery raises delivery_dead with its id, attempts and last error", async () => {
    const alerts = await startRecordingReceiver("/alerts");
    const failing = await startRecordingReceiver();
    failing.answer(503);
    const node = await alertingNode(alerts, { dispatcher: { disableEndpointAfterMs: 0 } });
    cleanups.push(node.stop, alerts.close, failing.close);
    const { deliveryIds } = await commitPush(
      node,
      {
        maxRetries: 1,
        intervalMs: 30,
        timeoutMs: 1000,
        jitter: 0,
      },
      failing.url,
    );

    const [dead] = await waitFor("the delivery_dead alert", () =>
      alertsOf(alerts, "delivery_dead").length > 0 ? alertsOf(alerts, "delivery_dead") : null,
    );
    assert.ok(dead);
    assertSigned(dead);
    assert.equal(dead.json.delivery_id, deliveryIds[0]);
    assert.equal(dead.json.delivery_event_type, EventType.Push);
    assert.equal(dead.json.attempts, 2);
    assert.equal(dead.json.last_error, "http_status: HTTP 503");
    assert.equal((await node.onair.store.deliveries.get(deliveryIds[0]!))?.status, "dead");
  });

  test("the queue-age alert: once when the oldest pending delivery crosses, once when it recovers", async () => {
    const alerts = await startRecordingReceiver("/alerts");
    const slow = await startRecordingReceiver();
    slow.answer(500);
    const node = await alertingNode(alerts, {
      dispatcher: { disableEndpointAfterMs: 0 },
      alerts: { queueAgeMs: 300, checkIntervalMs: 30 },
    });
    cleanups.push(node.stop, alerts.close, slow.close);
    await commitPush(
      node,
      { maxRetries: 100, intervalMs: 40, timeoutMs: 1000, jitter: 0 },
      slow.url,
    );

    const [exceeded] = await waitFor("the queue_age_exceeded alert", () =>
      alertsOf(alerts, "queue_age_exceeded").length > 0
        ? alertsOf(alerts, "queue_age_exceeded")
        : null,
    );
    assert.ok(exceeded);
    assertSigned(exceeded);
    assert.equal(exceeded.json.threshold_ms, 300);
    assert.ok(Number(exceeded.json.oldest_pending_age_ms) >= 300);
    // Still over the threshold for many checks: still one alert (hysteresis).
    await waitFor("more attempts while over the threshold", () => slow.received.length >= 12);
    assert.equal(alertsOf(alerts, "queue_age_exceeded").length, 1);

    slow.answer(200);
    const [recovered] = await waitFor("the queue_age_recovered alert", () =>
      alertsOf(alerts, "queue_age_recovered").length > 0
        ? alertsOf(alerts, "queue_age_recovered")
        : null,
    );
    assert.ok(recovered);
    assertSigned(recovered);
    assert.equal(alertsOf(alerts, "queue_age_exceeded").length, 1);
    assert.equal(alertsOf(alerts, "queue_age_recovered").length, 1);
  });

  test("two nodes on one PostgreSQL both watch the queue: the crossing is told once", async () => {
    const alerts = await startRecordingReceiver("/alerts");
    const slow = await startRecordingReceiver();
    slow.answer(500);
    const schema = uniqueSchema("onair_alerts");
    const flags = (nodeId: string) => ({
      databaseUrl: schemaUrl(schema),
      nodeId,
      alerts: { queueAgeMs: 200, checkIntervalMs: 20 },
      dispatcher: { disableEndpointAfterMs: 0 },
    });
    const a = await alertingNode(alerts, flags("node-a"));
    const b = await alertingNode(alerts, flags("node-b"));
    cleanups.push(() => dropSchemas(schema), a.stop, b.stop, alerts.close, slow.close);
    await commitPush(a, { maxRetries: 100, intervalMs: 40, timeoutMs: 1000, jitter: 0 }, slow.url);

    await waitFor(
      "the queue_age_exceeded alert",
      () => alertsOf(alerts, "queue_age_exceeded").length > 0,
    );
    // Both nodes keep checking well past the threshold: still one alert, stored once.
    await waitFor("many attempts while over the threshold", () => slow.received.length >= 15);
    assert.equal(alertsOf(alerts, "queue_age_exceeded").length, 1);
    const stored = await a.onair.store.events.list({
      eventTypes: [OPERATOR_ALERT_EVENT_TYPE],
      limit: 10,
    });
    assert.deepEqual(
      stored.map((e) => e.body.alert),
      ["queue_age_exceeded"],
    );
  });

  test("an alert endpoint that fails raises no alert about itself and keeps its health", async () => {
    const alerts = await startRecordingReceiver("/alerts");
    alerts.answer(500);
    const failing = await startRecordingReceiver();
    failing.answer(500);
    const node = await alertingNode(alerts, { dispatcher: { disableEndpointAfterMs: 1 } });
    cleanups.push(node.stop, alerts.close, failing.close);
    await commitPush(
      node,
      { maxRetries: 2, intervalMs: 30, timeoutMs: 1000, jitter: 0 },
      failing.url,
    );
    await waitFor("the alert's first attempt", () => alerts.received.length > 0);
    // Failing alert attempts change nothing: no alert about them, no health record for the URL.
    await quietPeriod(300);
    const stored = await node.onair.store.events.list({
      eventTypes: [OPERATOR_ALERT_EVENT_TYPE],
      limit: 10,
    });
    assert.deepEqual(
      stored.map((e) => e.body.alert),
      ["endpoint_disabled"],
    );
    assert.equal(await node.onair.store.endpoints.get(alerts.url), null);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isValidSign } from "@onair/callbacks";
import { loadConfig } from "../../src/config/load-config.js";
import { newId } from "../../src/domain/ids.js";
import { alertRecord, OPERATOR_ALERT_EVENT_TYPE } from "../../src/domain/operator-alert.js";
import { openStore } from "../../src/store/open-store.js";
import { pushBody } from "../e2e/push-body.js";
import { startRecordingReceiver } from "../helpers/recording-receiver.js";
import { startTestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

const ALERT_KEY = "durable-alert-key-0123456789";
const POLICY = { maxRetries: 3, intervalMs: 100, timeoutMs: 1000, jitter: 0 };

test("a dead delivery's alert commits with it, survives a restart and is sent by the next life", {
  timeout: 30_000,
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-alert-durable-"));
  const alerts = await startRecordingReceiver("/alerts");
  try {
    // A first life that dies right after the attempt that made a delivery dead.
    const store = await openStore(loadConfig({ env: {}, flags: { dataDir } }));
    const body = pushBody("d.example", 1, 9_200_000_000_000_000_000n);
    const event = {
      id: newId("evt"),
      eventType: 1,
      domainName: "d.example",
      appName: "live",
      streamId: "s1",
      body,
      source: "intake" as const,
      createdAt: new Date(),
    };
    const deliveryId = newId("msg");
    await store.events.append(event, [
      {
        id: deliveryId,
        templateId: 1,
        url: "http://127.0.0.1:9/gone",
        policy: POLICY,
        orderingKey: null,
      },
    ]);
    const [claimed] = await store.deliveries.claimDue({
      owner: "first-life",
      now: new Date(),
      leaseMs: 60_000,
      limit: 1,
    });
    assert.equal(claimed?.delivery.id, deliveryId);
    const alert = (owner: string) =>
      alertRecord(
        {
          alert: "delivery_dead",
          url: "http://127.0.0.1:9/gone",
          delivery_id: deliveryId,
          event_id: event.id,
          delivery_event_type: 1,
          attempts: 4,
          last_error: "connection_refused: connect ECONNREFUSED",
        },
        {
          url: alerts.url,
          policy: POLICY,
          appid: 1,
          nodeId: owner,
          now: new Date(),
          newId,
        },
      );
    const attempt = {
      startedAt: new Date(),
      durationMs: 1,
      statusCode: null,
      errorCode: "connection_refused" as const,
      errorMessage: "connect ECONNREFUSED",
      requestBody: "{}",
      responseSnippet: null,
    };
    // A node that lost the lease records its attempt but neither kills the delivery nor alerts.
    const lost = await store.deliveries.recordAttempt({
      deliveryId,
      owner: "someone-else",
      attempt,
      next: "dead",
      alertIfDead: alert("someone-else"),
    });
    assert.equal(lost, false);
    const kept = await store.deliveries.recordAttempt({
      deliveryId,
      owner: "first-life",
      attempt,
      next: "dead",
      alertIfDead: alert("first-life"),
    });
    assert.equal(kept, true);
    await store.close();
    assert.equal(alerts.received.length, 0, "nothing was sent in the first life");

    // The next life finds the alert in the outbox and sends it, signed with alerts.key.
    const node = await startTestOnAir({
      dataDir,
      flags: { dispatcher: { pollIntervalMs: 20 }, alerts: { url: alerts.url, key: ALERT_KEY } },
    });
    try {
      const [sent] = await waitFor("the alert from the previous life", () =>
        alerts.received.length > 0 ? alerts.received : null,
      );
      assert.ok(sent);
      assert.equal(sent.json.event_type, OPERATOR_ALERT_EVENT_TYPE);
      assert.equal(sent.json.alert, "delivery_dead");
      assert.equal(sent.json.node, "first-life");
      assert.equal(sent.json.delivery_id, deliveryId);
      assert.ok(isValidSign(ALERT_KEY, String(sent.json.t), String(sent.json.sign)));
      const stored = await node.onair.store.events.list({
        eventTypes: [OPERATOR_ALERT_EVENT_TYPE],
        limit: 10,
      });
      assert.equal(stored.length, 1, "one alert: the lost-lease attempt committed none");
    } finally {
      await node.stop();
    }
  } finally {
    await alerts.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

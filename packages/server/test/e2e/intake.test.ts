import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { OnAir } from "../../src/app.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import { readErrorBody } from "../helpers/error-body.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { startReceiver } from "./receiver.js";

const secretKey = "intakeSecretKey-0123456789";
const intakeToken = "intakeBearerToken-0123456789";

describe("POST /v1/events", () => {
  let node: TestOnAir;
  let onair: OnAir;
  let url: string;

  before(async () => {
    node = await startTestOnAir({
      rtmp: true,
      flags: { secretKey, intakeToken, dispatcher: { pollIntervalMs: 50 } },
    });
    onair = node.onair;
    url = `${node.httpUrl}/v1/events`;
  });
  after(() => node.stop());

  const post = (body: string, auth = `Bearer ${intakeToken}`, path = "") =>
    fetch(url + path, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body,
    });

  test("a Tencent-shaped event reaches every matching URL, re-signed by OnAir", async () => {
    const receiver = await startReceiver({ key: "IntakeKey" });
    try {
      await routeCallbacks(onair.store, {
        name: "intake",
        urls: { RecordNotifyUrl: receiver.url },
        callbackKey: "IntakeKey",
        domainName: "intake.example",
      });
      const event = {
        event_type: 100,
        appid: 1,
        app: "intake.example",
        appname: "live",
        stream_id: "s1",
        channel_id: "s1",
        file_id: "f1",
        file_format: "mp4",
        start_time: 1700000000,
        end_time: 1700000060,
        duration: 60,
        file_size: "1024",
        video_url: "http://files.example/f1.mp4",
        t: 1,
        sign: "stale-signature-from-elsewhere",
      };
      const response = await post(JSON.stringify(event));
      assert.equal(response.status, 202);
      const reply = (await response.json()) as { EventId: string; DeliveryIds: string[] };
      assert.equal(reply.DeliveryIds.length, 1);
      const [got] = await receiver.waitFor(1);
      assert.equal(got?.verified, true, got?.error);
      assert.equal(got?.webhookId, reply.DeliveryIds[0]);
      assert.equal(got?.event?.file_size, 1024, "normalised to the type of Tencent's samples");
      // The receiver logs before it replies: wait until the dispatcher has recorded the attempt.
      await waitFor(
        "the attempt recorded as delivered",
        async () =>
          (await onair.store.deliveries.get(reply.DeliveryIds[0]!))?.status === "delivered",
      );
      const metrics = await (await fetch(`http://127.0.0.1:${onair.httpPort}/metrics`)).text();
      assert.match(metrics, /onair_events_total\{event_type="100"\} 1/);
      assert.match(metrics, /onair_delivery_attempt_duration_seconds_count\{outcome="ok"\} 1/);
      assert.match(metrics, /onair_delivery_queue_depth 0/);
    } finally {
      await receiver.stop();
    }
  });

  test("refused without the bearer secret, with a wrong one, and for bad bodies", async () => {
    assert.equal((await post("{}", "")).status, 401);
    assert.equal((await post("{}", "Bearer wrong")).status, 401);
    // The management SecretKey is not the intake bearer once intakeToken is its own.
    assert.equal((await post("{}", `Bearer ${secretKey}`)).status, 401);
    const notJson = await post("{");
    assert.equal(notJson.status, 400);
    assert.equal((await readErrorBody(notJson)).code, "ONAIR_ERR_CALLBACK_NOT_JSON");
    const unknown = await post(JSON.stringify({ event_type: 999, stream_id: "s" }));
    assert.equal((await readErrorBody(unknown)).code, "ONAIR_ERR_CALLBACK_UNKNOWN_EVENT_TYPE");
    const noDomain = await post(
      JSON.stringify({
        event_type: 332,
        stream_id: "s",
        event_time: 1,
        record_event: "record_ended",
        session_id: "x",
        t: 1,
        sign: "x",
      }),
    );
    assert.equal(noDomain.status, 400);
    const huge = await post(JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }));
    assert.equal(huge.status, 413);
    assert.equal(
      (
        await post(
          JSON.stringify({
            event_type: 332,
            stream_id: "s",
            event_time: 1,
            record_event: "record_ended",
            session_id: "x",
            t: 1,
            sign: "x",
          }),
          undefined,
          "?domain=intake.example",
        )
      ).status,
      202,
    );
  });
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { hasValidWebhookSignature, isValidSign } from "@onair/callbacks";
import { routeCallbacks } from "../helpers/callback-route.js";
import { type RecordingReceiver, startRecordingReceiver } from "../helpers/recording-receiver.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

const KEY = "SendTestCallbackKey";
const bin = fileURLToPath(new URL("../../../bin/onair.js", import.meta.url));
const run = promisify(execFile);

describe("SendLiveCallbackTest: a signed sample to a template's URL, with the answer", {
  timeout: 30_000,
}, () => {
  let node: TestOnAir;
  let receiver: RecordingReceiver;
  let templateId: number;
  before(async () => {
    receiver = await startRecordingReceiver();
    receiver.answer(200, '{"code":0,"note":"hello from the receiver"}');
    node = await startTestOnAir();
    const template = await routeCallbacks(node.onair.store, {
      urls: {
        StreamBeginNotifyUrl: receiver.url,
        StreamEndNotifyUrl: "http://169.254.169.254/latest/meta-data",
      },
      callbackKey: KEY,
      domainName: "push.example.com",
      appName: "live",
    });
    templateId = template.id;
  });
  after(async () => {
    await node.stop();
    await receiver.close();
  });

  test("through the official SDK: the receiver's status, time and first bytes", async () => {
    const reply = (await node.sdk.request("SendLiveCallbackTest", {
      TemplateId: templateId,
      EventType: 1,
      StreamName: "room42",
    })) as Record<string, unknown>;
    assert.equal(reply.Success, true);
    assert.equal(reply.StatusCode, 200);
    assert.equal(reply.Url, receiver.url);
    assert.equal(reply.ResponseBody, '{"code":0,"note":"hello from the receiver"}');
    assert.equal(typeof reply.DurationMs, "number");
    const got = receiver.received.at(-1);
    assert.ok(got);
    assert.equal(got.json.event_type, 1);
    assert.equal(got.json.onair_test, true);
    assert.equal(got.json.stream_id, "room42");
    assert.equal(got.json.app, "push.example.com");
    assert.ok(isValidSign(KEY, String(got.json.t), String(got.json.sign)));
    assert.ok(
      hasValidWebhookSignature({
        id: String(got.headers["webhook-id"]),
        timestamp: String(got.headers["webhook-timestamp"]),
        header: String(got.headers["webhook-signature"]),
        body: got.body,
        keys: [KEY],
      }),
    );
    assert.equal(reply.RequestBody, got.body);
    // Nothing is stored: a test is not an event.
    assert.equal((await node.onair.store.events.list({ limit: 10 })).length, 0);
  });

  test("a receiver's error answer is shown as it is", async () => {
    receiver.answer(502, "bad gateway upstream");
    try {
      const reply = (await node.sdk.request("SendLiveCallbackTest", {
        TemplateId: templateId,
      })) as Record<string, unknown>;
      assert.equal(reply.Success, false);
      assert.equal(reply.StatusCode, 502);
      assert.equal(reply.ErrorCode, "http_status");
      assert.equal(reply.ResponseBody, "bad gateway upstream");
    } finally {
      receiver.answer(200, '{"code":0,"note":"hello from the receiver"}');
    }
  });

  test("the SSRF guard refuses a metadata address, as for real deliveries", async () => {
    const reply = (await node.sdk.request("SendLiveCallbackTest", {
      TemplateId: templateId,
      EventType: 0,
    })) as Record<string, unknown>;
    assert.equal(reply.Success, false);
    assert.equal(reply.StatusCode, null);
    assert.equal(reply.ErrorCode, "ssrf_blocked");
  });

  test("no URL for the event type, or no such template: Tencent-style errors", async () => {
    await assert.rejects(
      node.sdk.request("SendLiveCallbackTest", { TemplateId: templateId, EventType: 200 }),
      (err: { code?: string; message?: string }) =>
        err.code === "InvalidParameterValue" && /SnapshotNotifyUrl/.test(err.message ?? ""),
    );
    await assert.rejects(
      node.sdk.request("SendLiveCallbackTest", { TemplateId: 9999 }),
      (err: { code?: string }) => err.code === "ResourceNotFound",
    );
    await assert.rejects(
      node.sdk.request("SendLiveCallbackTest", { TemplateId: templateId, EventType: 7 }),
      (err: { code?: string }) => err.code === "InvalidParameterValue",
    );
  });

  test("the CLI: onair test-callback prints the answer; non-zero exit when it failed", async () => {
    const env = {
      ...process.env,
      ONAIR_URL: node.httpUrl,
      ONAIR_SECRET_ID: node.secretId,
      ONAIR_SECRET_KEY: node.secretKey,
    };
    const ok = await run(process.execPath, [bin, "test-callback", String(templateId)], {
      env,
      timeout: 20_000,
    });
    assert.match(ok.stdout, /^ok: HTTP 200 in \d+ ms from http:\/\/127\.0\.0\.1:\d+\/hook$/m);
    assert.match(ok.stdout, /hello from the receiver/);
    await assert.rejects(
      run(process.execPath, [bin, "test-callback", String(templateId), "--event-type", "0"], {
        env,
        timeout: 20_000,
      }),
      (err: { code?: number; stdout?: string }) =>
        err.code === 1 && /^failed: ssrf_blocked/m.test(err.stdout ?? ""),
    );
  });
});

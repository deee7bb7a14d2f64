import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { buildInterruptionEvent, buildPushEvent } from "@onair/callbacks";
import { Client as LiveClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/live/v20180801/live_client.js";
import type { OnAir } from "../../src/app.js";
import { agentClient, endpointClient } from "../helpers/sdk-clients.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { quietPeriod, waitFor } from "../helpers/wait-for.js";
import { startReceiver } from "./receiver.js";

const secretId = "AKIDonairE2Etest";
const secretKey = "e2eSecretKeyNotForProduction";
const callbackKey = "E2eCallbackKey01";

const facts = {
  appid: 1_000_000,
  app: "push.e2e.example",
  appname: "live",
  stream_id: "e2e_stream",
  event_time: Math.floor(Date.now() / 1000),
  sequence: "6000000000000000001",
  node: "127.0.0.1",
  user_ip: "127.0.0.1",
  stream_param: "txSecret=abc&txTime=FFFFFFFF",
  set_id: 2,
  idc_id: 0,
  width: 640,
  height: 360,
};

describe("onair: the official SDK configures it, events reach a real receiver", () => {
  let node: TestOnAir;
  let onair: OnAir;
  let byEndpoint: LiveClient;
  let byAgent: LiveClient;

  before(async () => {
    delete process.env.http_proxy;
    delete process.env.HTTP_PROXY;
    node = await startTestOnAir({
      rtmp: true,
      flags: { secretId, secretKey, dispatcher: { pollIntervalMs: 50 } },
    });
    onair = node.onair;
    // The two ways the SDK can be pointed at OnAir (docs/api.md): endpoint and agent.
    byEndpoint = endpointClient(onair.httpPort, { secretId, secretKey });
    byAgent = agentClient(onair.httpPort, { secretId, secretKey });
  });
  after(() => node.stop());

  test("SDK, both ways: domain, push auth key, template, rule — created, described, modified, deleted", async () => {
    await byEndpoint.AddLiveDomain({ DomainName: "sdk.e2e.example", DomainType: 0 });
    await byAgent.ModifyLivePushAuthKey({
      DomainName: "sdk.e2e.example",
      Enable: 1,
      MasterAuthKey: "mainKey1",
      BackupAuthKey: "backupKey1",
    });
    const auth = await byEndpoint.DescribeLivePushAuthKey({ DomainName: "sdk.e2e.example" });
    assert.equal(auth.PushAuthKeyInfo?.MasterAuthKey, "mainKey1");
    assert.equal(auth.PushAuthKeyInfo?.Enable, 1);

    const { TemplateId } = await byAgent.CreateLiveCallbackTemplate({
      TemplateName: "sdk_template",
      StreamBeginNotifyUrl: "http://127.0.0.1:9/begin",
      CallbackKey: "abc123",
    });
    assert.ok(typeof TemplateId === "number");
    const described = await byEndpoint.DescribeLiveCallbackTemplate({ TemplateId: TemplateId! });
    assert.equal(described.Template?.TemplateName, "sdk_template");
    assert.equal(described.Template?.StreamBeginNotifyUrl, "http://127.0.0.1:9/begin");
    await byAgent.ModifyLiveCallbackTemplate({
      TemplateId: TemplateId!,
      StreamEndNotifyUrl: "http://127.0.0.1:9/end",
    });
    const all = await byEndpoint.DescribeLiveCallbackTemplates();
    const modified = all.Templates?.find((t) => t.TemplateId === TemplateId);
    assert.equal(modified?.StreamEndNotifyUrl, "http://127.0.0.1:9/end");
    assert.equal(
      modified?.StreamBeginNotifyUrl,
      "http://127.0.0.1:9/begin",
      "omitted fields keep their value",
    );

    await byEndpoint.CreateLiveCallbackRule({
      DomainName: "sdk.e2e.example",
      AppName: "live",
      TemplateId: TemplateId!,
    });
    const rules = await byAgent.DescribeLiveCallbackRules();
    assert.match(rules.Rules?.[0]?.CreateTime ?? "", /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    await assert.rejects(byEndpoint.DeleteLiveCallbackTemplate({ TemplateId: TemplateId! }), {
      code: "FailedOperation.ConfInUsed",
    });
    await byEndpoint.DeleteLiveCallbackRule({ DomainName: "sdk.e2e.example", AppName: "live" });
    await byAgent.DeleteLiveCallbackTemplate({ TemplateId: TemplateId! });
    await byEndpoint.DeleteLiveDomain({ DomainName: "sdk.e2e.example", DomainType: 0 });
    const domains = await byAgent.DescribeLiveDomains({});
    assert.equal(domains.AllCount, 0);
  });

  test("bad calls raise the SDK's exception with Tencent's error code", async () => {
    await assert.rejects(
      byEndpoint.CreateLiveCallbackTemplate({
        StreamBeginNotifyUrl: "http://127.0.0.1:9/x",
      } as never),
      {
        code: "MissingParameter",
      },
    );
    await assert.rejects(
      byEndpoint.CreateLiveCallbackTemplate({
        TemplateName: "t",
        StreamBeginNotifyUrl: "http://127.0.0.1:9/x",
        CallbackKey: "not-alnum!",
      }),
      { code: "InvalidParameterValue" },
    );
    await assert.rejects(
      byEndpoint.CreateLiveCallbackTemplate({
        TemplateName: "t",
        StreamBeginNotifyUrl: "http://169.254.169.254/latest",
      }),
      {
        code: "InvalidParameter.UrlNotSafe",
      },
    );
    await assert.rejects(byEndpoint.DescribeLiveCallbackTemplate({ TemplateId: 424242 }), {
      code: "InternalError.ConfNotFound",
    });
    const wrongKey = new LiveClient({
      credential: { secretId, secretKey: "wrong" },
      region: "",
      profile: { httpProfile: { endpoint: `127.0.0.1:${onair.httpPort}`, protocol: "http://" } },
    });
    await assert.rejects(wrongKey.DescribeLiveCallbackRules(), {
      code: "AuthFailure.SignatureFailure",
    });
    const unknownId = new LiveClient({
      credential: { secretId: "AKIDunknown", secretKey },
      region: "",
      profile: { httpProfile: { endpoint: `127.0.0.1:${onair.httpPort}`, protocol: "http://" } },
    });
    await assert.rejects(unknownId.DescribeLiveCallbackRules(), {
      code: "AuthFailure.SecretIdNotFound",
    });
  });

  test("raw HTTP: malformed input gets Tencent errors with HTTP 200, and the server keeps serving", async () => {
    const url = `http://127.0.0.1:${onair.httpPort}/`;
    const unsigned = await fetch(url, {
      method: "POST",
      headers: {
        "x-tc-action": "DescribeLiveCallbackRules",
        "x-tc-version": "2018-08-01",
        "x-tc-timestamp": String(Math.floor(Date.now() / 1000)),
        "content-type": "application/json",
      },
      body: "{",
    });
    assert.equal(unsigned.status, 200);
    const body = (await unsigned.json()) as {
      Response: { Error: { Code: string }; RequestId: string };
    };
    assert.equal(body.Response.Error.Code, "AuthFailure.InvalidAuthorization");
    assert.ok(body.Response.RequestId);
    const huge = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(2 * 1024 * 1024),
    });
    assert.equal(
      ((await huge.json()) as { Response: { Error: { Code: string } } }).Response.Error.Code,
      "RequestSizeLimitExceeded",
    );
    assert.ok((await byEndpoint.DescribeLiveCallbackRules()).Rules, "still serving");
  });

  test("an event reaches the receiver signed, in Tencent's shape; 500, 500, 200 = exactly 3 attempts", async () => {
    const receiver = await startReceiver({ key: callbackKey, script: "500,500,200" });
    try {
      const { TemplateId } = await byEndpoint.CreateLiveCallbackTemplate({
        TemplateName: "delivery",
        StreamBeginNotifyUrl: receiver.url,
        StreamEndNotifyUrl: receiver.url,
        CallbackKey: callbackKey,
        OnAirRetryPolicy: { MaxRetries: 3, IntervalMs: 300, TimeoutMs: 2000 },
      } as never);
      await byEndpoint.CreateLiveCallbackRule({
        DomainName: facts.app,
        AppName: "live",
        TemplateId: TemplateId!,
      });
      const { deliveryIds } = await onair.events.commit({
        body: buildPushEvent(facts) as unknown as Record<string, unknown> & { event_type: number },
        domainName: facts.app,
        appName: "live",
        streamId: facts.stream_id,
        source: "intake",
      });
      assert.equal(deliveryIds.length, 1);
      const got = await receiver.waitFor(3);
      await quietPeriod(800);
      assert.equal(receiver.received.length, 3, "no fourth attempt after the 200");
      for (const r of got) {
        assert.equal(r.verified, true, r.error);
        assert.equal(r.webhookId, deliveryIds[0], "same webhook-id on every attempt");
      }
      for (let i = 1; i < got.length; i++)
        assert.ok(got[i]!.at - got[i - 1]!.at >= 280, "spaced by the retry interval");
      const event = got[0]!.event!;
      assert.equal(event.event_type, 1);
      assert.equal(typeof event.sequence, "string");
      assert.equal(typeof event.appid, "number");
      assert.equal(typeof event.t, "number");
      assert.equal(event.sign, createHash("md5").update(`${callbackKey}${event.t}`).digest("hex"));
      assert.deepEqual(
        Object.keys(buildPushEvent(facts)).filter((k) => !(k in event)),
        [],
        "every built field arrives",
      );

      const records = await byEndpoint.DescribeCallbackRecordsList({
        StartTime: new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, "Z"),
        EndTime: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z"),
        StreamName: facts.stream_id,
        PageNum: 1,
        PageSize: 10,
      });
      assert.equal(records.TotalNum, 3);
      assert.deepEqual(records.DataInfoList?.map((r) => r.ResultCode).sort(), [0, 500, 500]);
    } finally {
      await receiver.stop();
    }
  });

  test("a receiver that always fails: dead after 4 attempts, then redelivered and delivered", async () => {
    const receiver = await startReceiver({ key: callbackKey, script: "503,503,503,503,200" });
    try {
      const { TemplateId } = await byEndpoint.CreateLiveCallbackTemplate({
        TemplateName: "dead_letter",
        StreamEndNotifyUrl: receiver.url,
        CallbackKey: callbackKey,
        OnAirRetryPolicy: { MaxRetries: 3, IntervalMs: 100, TimeoutMs: 2000 },
      } as never);
      await byEndpoint.CreateLiveCallbackRule({
        DomainName: "dead.e2e.example",
        AppName: "",
        TemplateId: TemplateId!,
      });
      const { deliveryIds } = await onair.events.commit({
        body: buildInterruptionEvent({
          ...facts,
          app: "dead.e2e.example",
          errcode: 3,
          pushDurationMs: 5000,
        }) as unknown as Record<string, unknown> & {
          event_type: number;
        },
        domainName: "dead.e2e.example",
        appName: "live",
        streamId: facts.stream_id,
        source: "intake",
      });
      await receiver.waitFor(4);
      const dead = await waitForStatus(byEndpoint, deliveryIds[0]!, "dead");
      assert.equal(dead.Attempts?.length, 4);
      const dry = (await byEndpoint.request("RedeliverCallbacks", {
        AllDead: true,
        DryRun: true,
      })) as { DeliveryIds: string[] };
      assert.deepEqual(dry.DeliveryIds, [deliveryIds[0]]);
      await byEndpoint.request("RedeliverCallbacks", { DeliveryIds: deliveryIds });
      await receiver.waitFor(5);
      await waitForStatus(byEndpoint, deliveryIds[0]!, "delivered");
    } finally {
      await receiver.stop();
    }
  });
});

async function waitForStatus(client: LiveClient, deliveryId: string, status: string) {
  type Reply = { Delivery: { Status: string }; Attempts?: unknown[] };
  return waitFor(
    `delivery ${deliveryId} to be ${status}`,
    async () => {
      const reply = (await client.request("DescribeCallbackDeliveryAttempts", {
        DeliveryId: deliveryId,
      })) as Reply;
      return reply.Delivery.Status === status ? reply : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
}

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseTencentTime } from "../../src/api/tencent-time.js";
import {
  type ApiServer,
  agentClient,
  endpointClient,
  type LiveClient,
  SECRET_ID,
  SECRET_KEY,
  startApiServer,
} from "./helpers/api-server.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Asserts that `call` raises the SDK's exception carrying Tencent's `code` and a RequestId. */
async function rejectsWith(call: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(call, (err: { code?: string; requestId?: string; message?: string }) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.requestId ?? "", UUID);
    return true;
  });
}

function assertRecentBeijingTime(text: string | undefined): void {
  assert.match(text ?? "", /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  const at = parseTencentTime(text ?? "")?.date.getTime() ?? 0;
  assert.ok(Math.abs(Date.now() - at) < 120_000, `${text} is Beijing time, near now`);
}

for (const [way, makeClient] of [
  ["endpoint 127.0.0.1:PORT over http", endpointClient],
  ["real endpoint through a loopback agent", agentClient],
] as const) {
  describe(`official SDK (tencentcloud-sdk-nodejs LiveClient), ${way}`, () => {
    let api: ApiServer;
    let client: LiveClient;

    before(async () => {
      api = await startApiServer();
      client = makeClient(api.port);
    });
    after(async () => {
      await api.close();
    });

    test("signs the host and service the way this SDK set-up does (docs/api.md)", async () => {
      await client.DescribeLiveCallbackRules();
      const last = api.seen.at(-1);
      if (makeClient === agentClient) {
        assert.equal(last?.host, "live.tencentcloudapi.com");
        assert.match(last?.scope ?? "", /^\d{4}-\d{2}-\d{2}\/live\/tc3_request$/);
      } else {
        assert.equal(last?.host, `127.0.0.1:${api.port}`);
        assert.match(last?.scope ?? "", /^\d{4}-\d{2}-\d{2}\/127\/tc3_request$/);
      }
    });

    test("domain, push auth keys, template, rule: created, described, modified, deleted", async () => {
      const domain = "push.example.com";
      await client.AddLiveDomain({ DomainName: domain, DomainType: 0 });

      // A new push domain has push authentication on with a generated key, as Tencent's do.
      const initial = await client.DescribeLivePushAuthKey({ DomainName: domain });
      assert.equal(initial.PushAuthKeyInfo?.Enable, 1);
      assert.match(initial.PushAuthKeyInfo?.MasterAuthKey ?? "", /^[0-9a-f]{32}$/);
      await client.ModifyLivePushAuthKey({
        DomainName: domain,
        MasterAuthKey: "mainKey1",
        BackupAuthKey: "backupKey1",
        AuthDelta: 300,
      });
      await client.ModifyLivePushAuthKey({ DomainName: domain, Enable: 0 });
      const auth = await client.DescribeLivePushAuthKey({ DomainName: domain });
      assert.deepEqual(auth.PushAuthKeyInfo, {
        DomainName: domain,
        Enable: 0,
        MasterAuthKey: "mainKey1",
        BackupAuthKey: "backupKey1",
        AuthDelta: 300,
      });

      const domains = await client.DescribeLiveDomains({});
      assert.equal(domains.AllCount, 1);
      assert.equal(domains.DomainList?.[0]?.Name, domain);
      assert.equal(domains.DomainList?.[0]?.Type, 0);
      assert.equal(domains.DomainList?.[0]?.Status, 1);
      assertRecentBeijingTime(domains.DomainList?.[0]?.CreateTime);
      const one = await client.DescribeLiveDomain({ DomainName: domain });
      assert.deepEqual(one.DomainInfo, domains.DomainList?.[0]);

      const created = await client.CreateLiveCallbackTemplate({
        TemplateName: "直播_回调-1",
        Description: "主模板",
        StreamBeginNotifyUrl: "http://127.0.0.1:9/begin",
        StreamEndNotifyUrl: "https://hooks.example.com/end",
        CallbackKey: "Key1",
        RecordExceptionLevels: ["error", "warning"],
      });
      const TemplateId = created.TemplateId ?? 0;
      assert.ok(Number.isInteger(TemplateId) && TemplateId > 0);
      const described = await client.DescribeLiveCallbackTemplate({ TemplateId });
      assert.deepEqual(described.Template, {
        TemplateId,
        TemplateName: "直播_回调-1",
        Description: "主模板",
        StreamBeginNotifyUrl: "http://127.0.0.1:9/begin",
        StreamEndNotifyUrl: "https://hooks.example.com/end",
        RecordNotifyUrl: "",
        RecordStatusNotifyUrl: "",
        SnapshotNotifyUrl: "",
        PornCensorshipNotifyUrl: "",
        PushExceptionNotifyUrl: "",
        AudioAuditNotifyUrl: "",
        RecordExceptionNotifyUrl: "",
        StreamMixNotifyUrl: "",
        CallbackKey: "Key1",
        RecordExceptionLevels: ["error", "warning"],
        OnAirRetryPolicy: null,
        OnAirPerStreamOrdering: false,
      });

      // Omitted fields keep their value, "" clears one, and a new key rotates the old one out.
      const before = Date.now();
      await client.ModifyLiveCallbackTemplate({
        TemplateId,
        StreamEndNotifyUrl: "",
        RecordNotifyUrl: "https://hooks.example.com/record",
        CallbackKey: "Key2",
      });
      const modified = (await client.DescribeLiveCallbackTemplates()).Templates?.find(
        (t) => t.TemplateId === TemplateId,
      );
      assert.equal(modified?.StreamBeginNotifyUrl, "http://127.0.0.1:9/begin");
      assert.equal(modified?.StreamEndNotifyUrl, "");
      assert.equal(modified?.RecordNotifyUrl, "https://hooks.example.com/record");
      assert.equal(modified?.CallbackKey, "Key2");
      assert.equal(modified?.Description, "主模板");
      const stored = await api.store.templates.get(TemplateId);
      assert.equal(stored?.previousKeys.length, 1);
      assert.equal(stored?.previousKeys[0]?.key, "Key1");
      const validUntil = stored?.previousKeys[0]?.validUntil.getTime() ?? 0;
      assert.ok(validUntil >= before + api.config.keyRotationOverlapMs);
      assert.ok(validUntil <= Date.now() + api.config.keyRotationOverlapMs);

      await client.CreateLiveCallbackRule({ DomainName: domain, AppName: "live", TemplateId });
      const rules = await client.DescribeLiveCallbackRules();
      assert.equal(rules.Rules?.length, 1);
      assert.equal(rules.Rules?.[0]?.DomainName, domain);
      assert.equal(rules.Rules?.[0]?.AppName, "live");
      assert.equal(rules.Rules?.[0]?.TemplateId, TemplateId);
      assertRecentBeijingTime(rules.Rules?.[0]?.CreateTime);
      assertRecentBeijingTime(rules.Rules?.[0]?.UpdateTime);

      await rejectsWith(
        client.DeleteLiveCallbackTemplate({ TemplateId }),
        "FailedOperation.ConfInUsed",
      );
      await client.DeleteLiveCallbackRule({ DomainName: domain, AppName: "live" });
      assert.deepEqual((await client.DescribeLiveCallbackRules()).Rules, []);
      // Each action's documented not-found code (issue 13), not a bare ResourceNotFound.
      await rejectsWith(
        client.DeleteLiveCallbackRule({ DomainName: domain, AppName: "live" }),
        "FailedOperation.NotFound",
      );
      await client.DeleteLiveCallbackTemplate({ TemplateId });
      await rejectsWith(
        client.DescribeLiveCallbackTemplate({ TemplateId }),
        "InternalError.ConfNotFound",
      );
      await rejectsWith(
        client.DeleteLiveCallbackTemplate({ TemplateId }),
        "InternalError.ConfNotFound",
      );
      await rejectsWith(
        client.DeleteLiveDomain({ DomainName: domain, DomainType: 1 }),
        "ResourceNotFound.DomainNotExist",
      );
      await client.DeleteLiveDomain({ DomainName: domain, DomainType: 0 });
      assert.equal((await client.DescribeLiveDomains({})).AllCount, 0);
    });

    test("bad calls raise the SDK's exception with Tencent's error code", async () => {
      const url = "http://127.0.0.1:9/x";
      await rejectsWith(
        client.CreateLiveCallbackTemplate({ StreamBeginNotifyUrl: url } as never),
        "MissingParameter",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({ TemplateName: "t" }),
        "MissingParameter",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({
          TemplateName: "t",
          StreamBeginNotifyUrl: url,
          CallbackKey: "not-alnum!",
        }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({
          TemplateName: "t",
          StreamBeginNotifyUrl: url,
          CallbackKey: "a".repeat(33),
        }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({ TemplateName: "has space", StreamBeginNotifyUrl: url }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({
          TemplateName: "长".repeat(86),
          StreamBeginNotifyUrl: url,
        }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({
          TemplateName: "t",
          StreamBeginNotifyUrl: url,
          RecordExceptionLevels: ["fatal"],
        }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({ TemplateName: "t", StreamBeginNotifyUrl: "ftp://x/y" }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.CreateLiveCallbackTemplate({
          TemplateName: "t",
          StreamBeginNotifyUrl: "http://169.254.169.254/latest/meta-data",
        }),
        "InvalidParameter.UrlNotSafe",
      );
      await rejectsWith(
        client.DescribeLiveCallbackTemplate({ TemplateId: 424242 }),
        "InternalError.ConfNotFound",
      );
      await rejectsWith(
        client.ModifyLiveCallbackTemplate({ TemplateId: 424242, Description: "x" }),
        "InternalError.ConfNotFound",
      );
      await rejectsWith(
        client.CreateLiveCallbackRule({
          DomainName: "a.example",
          AppName: "live",
          TemplateId: 424242,
        }),
        "InvalidParameter.ConfNotFound",
      );
      await rejectsWith(
        client.CreateLiveCallbackRule({
          DomainName: "not a domain",
          AppName: "live",
          TemplateId: 1,
        }),
        "InvalidParameterValue",
      );
      await client.AddLiveDomain({ DomainName: "twice.example.com", DomainType: 0 });
      await rejectsWith(
        client.AddLiveDomain({ DomainName: "Twice.Example.com", DomainType: 0 }),
        "FailedOperation.DomainAdded",
      );
      await rejectsWith(
        client.DescribeLiveDomain({ DomainName: "nowhere.example.com" }),
        "ResourceNotFound.DomainNotExist",
      );
      await rejectsWith(
        client.ModifyLivePushAuthKey({ DomainName: "twice.example.com", MasterAuthKey: "" }),
        "InvalidParameterValue",
      );
      await rejectsWith(client.DescribeLiveDomains({ PageSize: 5 }), "InvalidParameterValue");
      // An action Tencent does not have (DescribeLiveStreamPushInfoList, used here before, now exists).
      await rejectsWith(client.request("DescribeNoSuchAction", {}), "InvalidAction");
      await rejectsWith(
        client.request("DescribeLiveCallbackRules", { DomainName: "x.example" }),
        "UnknownParameter",
      );
      await rejectsWith(
        client.request("DescribeLiveCallbackTemplate", { TemplateId: "7" }),
        "InvalidParameter",
      );
    });

    test("wrong secret key, unknown SecretId, stale timestamp → AuthFailure.*", async () => {
      await rejectsWith(
        makeClient(api.port, {
          secretId: SECRET_ID,
          secretKey: "wrong",
        }).DescribeLiveCallbackRules(),
        "AuthFailure.SignatureFailure",
      );
      await rejectsWith(
        makeClient(api.port, {
          secretId: "AKIDnobody",
          secretKey: SECRET_KEY,
        }).DescribeLiveCallbackRules(),
        "AuthFailure.SecretIdNotFound",
      );
      // The SDK stamps the real time; the server's clock runs 10 minutes ahead.
      api.clock.offsetMs = 10 * 60_000;
      try {
        await rejectsWith(client.DescribeLiveCallbackRules(), "AuthFailure.SignatureExpire");
      } finally {
        api.clock.offsetMs = 0;
      }
      assert.ok((await client.DescribeLiveCallbackRules()).Rules, "valid calls still succeed");
    });

    test("OnAir extensions on templates: OnAirRetryPolicy and OnAirPerStreamOrdering", async () => {
      const created = (await client.request("CreateLiveCallbackTemplate", {
        TemplateName: "ext",
        StreamBeginNotifyUrl: "http://127.0.0.1:9/ext",
        OnAirRetryPolicy: { Preset: "tencent-2021", MaxRetries: 5 },
        OnAirPerStreamOrdering: true,
      })) as { TemplateId: number };
      const read = async () =>
        (
          (await client.request("DescribeLiveCallbackTemplate", {
            TemplateId: created.TemplateId,
          })) as { Template: Record<string, unknown> }
        ).Template;
      assert.deepEqual((await read()).OnAirRetryPolicy, {
        MaxRetries: 5,
        IntervalMs: 60_000,
        TimeoutMs: 20_000,
        Jitter: 0,
      });
      assert.equal((await read()).OnAirPerStreamOrdering, true);
      // Without a Preset, fields override the template's current policy.
      await client.request("ModifyLiveCallbackTemplate", {
        TemplateId: created.TemplateId,
        OnAirRetryPolicy: { IntervalMs: 1000 },
      });
      assert.deepEqual((await read()).OnAirRetryPolicy, {
        MaxRetries: 5,
        IntervalMs: 1000,
        TimeoutMs: 20_000,
        Jitter: 0,
      });
      await client.request("ModifyLiveCallbackTemplate", {
        TemplateId: created.TemplateId,
        OnAirRetryPolicy: { Preset: "default" },
        OnAirPerStreamOrdering: false,
      });
      assert.equal((await read()).OnAirRetryPolicy, null);
      assert.equal((await read()).OnAirPerStreamOrdering, false);
      // "seeds" is the deprecated name of "tencent-intl": both give 3 retries 60 s apart.
      for (const Preset of ["tencent-intl", "seeds"]) {
        await client.request("ModifyLiveCallbackTemplate", {
          TemplateId: created.TemplateId,
          OnAirRetryPolicy: { Preset },
        });
        assert.deepEqual((await read()).OnAirRetryPolicy, {
          MaxRetries: 3,
          IntervalMs: 60_000,
          TimeoutMs: 20_000,
          Jitter: 0,
        });
      }
      await client.request("ModifyLiveCallbackTemplate", {
        TemplateId: created.TemplateId,
        OnAirRetryPolicy: { Preset: "default" },
      });
      await rejectsWith(
        client.request("ModifyLiveCallbackTemplate", {
          TemplateId: created.TemplateId,
          OnAirRetryPolicy: { TimeoutMs: api.config.dispatcher.leaseMs },
        }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.request("ModifyLiveCallbackTemplate", {
          TemplateId: created.TemplateId,
          OnAirRetryPolicy: { Preset: "default", MaxRetries: 1 },
        }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.request("ModifyLiveCallbackTemplate", {
          TemplateId: created.TemplateId,
          OnAirRetryPolicy: { Retries: 1 },
        }),
        "UnknownParameter",
      );
    });
  });
}

describe("callbackAllowPrivate=false", () => {
  let api: ApiServer;
  before(async () => {
    api = await startApiServer({ callbackAllowPrivate: false });
  });
  after(async () => {
    await api.close();
  });

  test("private and loopback callback URLs are refused as InvalidParameter.UrlNotSafe", async () => {
    const client = endpointClient(api.port);
    for (const url of ["http://127.0.0.1:3000/cb", "http://10.0.0.8/cb", "http://localhost/cb"]) {
      await rejectsWith(
        client.CreateLiveCallbackTemplate({ TemplateName: "p", StreamBeginNotifyUrl: url }),
        "InvalidParameter.UrlNotSafe",
      );
    }
    const { TemplateId } = await client.CreateLiveCallbackTemplate({
      TemplateName: "public",
      StreamBeginNotifyUrl: "https://hooks.example.com/cb",
    });
    await rejectsWith(
      client.ModifyLiveCallbackTemplate({
        TemplateId: TemplateId ?? 0,
        SnapshotNotifyUrl: "http://192.168.1.2/snap",
      }),
      "InvalidParameter.UrlNotSafe",
    );
  });
});

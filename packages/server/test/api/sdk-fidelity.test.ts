import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { buildInterruptionEvent, buildPushEvent, type PublishFacts } from "@onair/callbacks";
import {
  type ApiServer,
  endpointClient,
  type LiveClient,
  startApiServer,
} from "./helpers/api-server.js";

/**
 * Issue 13, management API: each defect a migrating user met, through the official SDK
 * (tencentcloud-sdk-nodejs): documented error codes, Tencent's ranges, the missing fields and
 * the missing actions (their RTMP side is in test/e2e/rtmp-control.test.ts).
 */

async function rejectsWith(call: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(call, (err: { code?: string; message?: string }) => {
    assert.equal(err.code, code, err.message);
    return true;
  });
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

describe("management API fidelity (issue 13), official SDK", () => {
  let api: ApiServer;
  let client: LiveClient;

  before(async () => {
    api = await startApiServer();
    client = endpointClient(api.port);
  });
  after(async () => {
    await api.close();
  });

  test("DropLiveStream on a stream that is not live succeeds (Tencent 267/30795)", async () => {
    const answer = await client.DropLiveStream({
      DomainName: "push.example.com",
      AppName: "live",
      StreamName: "never-published",
    });
    assert.match(answer.RequestId ?? "", /^[0-9a-f-]{36}$/);
  });

  test("not-found templates and rules answer each action's documented code", async () => {
    const missing = 987_654;
    for (const call of [
      client.DescribeLiveCallbackTemplate({ TemplateId: missing }),
      client.ModifyLiveCallbackTemplate({ TemplateId: missing, Description: "x" }),
      client.DeleteLiveCallbackTemplate({ TemplateId: missing }),
      client.DescribeLiveRecordTemplate({ TemplateId: missing }),
      client.ModifyLiveRecordTemplate({ TemplateId: missing, Description: "x" }),
      client.DeleteLiveRecordTemplate({ TemplateId: missing }),
      client.DescribeLiveSnapshotTemplate({ TemplateId: missing }),
      client.ModifyLiveSnapshotTemplate({
        TemplateId: missing,
        CosAppId: 1,
        CosBucket: "b",
        CosRegion: "r",
      }),
      client.DeleteLiveSnapshotTemplate({ TemplateId: missing }),
    ]) {
      await rejectsWith(call, "InternalError.ConfNotFound");
    }
    for (const call of [
      client.CreateLiveCallbackRule({
        DomainName: "push.example.com",
        AppName: "live",
        TemplateId: missing,
      }),
      client.CreateLiveRecordRule({ DomainName: "push.example.com", TemplateId: missing }),
      client.CreateLiveSnapshotRule({ DomainName: "push.example.com", TemplateId: missing }),
    ]) {
      await rejectsWith(call, "InvalidParameter.ConfNotFound");
    }
    await rejectsWith(
      client.DeleteLiveCallbackRule({ DomainName: "push.example.com", AppName: "nope" }),
      "FailedOperation.NotFound",
    );
    await rejectsWith(
      client.DeleteLiveRecordRule({ DomainName: "push.example.com", AppName: "nope" }),
      "InternalError.RuleNotFound",
    );
    await rejectsWith(
      client.DeleteLiveSnapshotRule({ DomainName: "push.example.com", AppName: "nope" }),
      "InternalError.RuleNotFound",
    );
  });

  test("a second CreateLiveCallbackRule for a bound DomainName+AppName is InternalError.RuleAlreadyExist", async () => {
    const url = "http://127.0.0.1:9/cb";
    const first = await client.CreateLiveCallbackTemplate({
      TemplateName: "one",
      StreamBeginNotifyUrl: url,
    });
    const second = await client.CreateLiveCallbackTemplate({
      TemplateName: "two",
      StreamBeginNotifyUrl: url,
    });
    const rule = { DomainName: "dup.example.com", AppName: "live" };
    await client.CreateLiveCallbackRule({ ...rule, TemplateId: first.TemplateId as number });
    await rejectsWith(
      client.CreateLiveCallbackRule({ ...rule, TemplateId: second.TemplateId as number }),
      "InternalError.RuleAlreadyExist",
    );
    // Not rebound: the rule still points at the first template.
    const bound = (await client.DescribeLiveCallbackRules()).Rules?.filter(
      (r) => r.DomainName === rule.DomainName,
    );
    assert.deepEqual(
      bound?.map((r) => r.TemplateId),
      [first.TemplateId],
    );
    // Another AppName of the same domain is another rule.
    await client.CreateLiveCallbackRule({
      DomainName: rule.DomainName,
      AppName: "other",
      TemplateId: second.TemplateId as number,
    });
  });

  test("RecordInterval: 60–43200 for FLV, MP4 and MP3, 60–7200 for AAC, not checked for HLS", async () => {
    const created = await client.CreateLiveRecordTemplate({
      TemplateName: "long",
      FlvParam: { RecordInterval: 43_200, Enable: 1 },
      Mp4Param: { RecordInterval: 60, Enable: 1 },
      AacParam: { RecordInterval: 7200 },
      Mp3Param: { RecordInterval: 43_200 },
      HlsParam: { RecordInterval: 50_000, Enable: 1 },
    });
    const { Template } = await client.DescribeLiveRecordTemplate({
      TemplateId: created.TemplateId as number,
    });
    assert.equal(Template?.FlvParam?.RecordInterval, 43_200);
    assert.equal(Template?.Mp3Param?.RecordInterval, 43_200);
    assert.equal(Template?.HlsParam?.RecordInterval, 50_000);
    for (const bad of [
      { FlvParam: { RecordInterval: 43_201 } },
      { Mp4Param: { RecordInterval: 59 } },
      { AacParam: { RecordInterval: 7201 } },
      { Mp3Param: { RecordInterval: 43_201 } },
      { HlsParam: { RecordInterval: 0 } },
    ]) {
      await rejectsWith(
        client.CreateLiveRecordTemplate({ TemplateName: "bad", ...bad }),
        "InvalidParameterValue",
      );
    }
  });

  test("RecordTemplateInfo has Mp3Param, HlsSpecialParam and FlvSpecialParam; ModifyLiveRecordTemplate keeps what it is not given", async () => {
    const { TemplateId } = await client.CreateLiveRecordTemplate({
      TemplateName: "special",
      Description: "d",
      FlvParam: { RecordInterval: 600, StorageTime: 86_400, Enable: 1 },
      Mp3Param: { RecordInterval: 900, Enable: 1 },
      HlsSpecialParam: { FlowContinueDuration: 120 },
      FlvSpecialParam: { UploadInRecording: true },
    });
    const id = TemplateId as number;
    const created = (await client.DescribeLiveRecordTemplate({ TemplateId: id })).Template;
    assert.deepEqual(created?.Mp3Param, { RecordInterval: 900, StorageTime: 0, Enable: 1 });
    assert.deepEqual(created?.HlsSpecialParam, { FlowContinueDuration: 120 });
    assert.deepEqual(created?.FlvSpecialParam, { UploadInRecording: true });

    await client.ModifyLiveRecordTemplate({
      TemplateId: id,
      TemplateName: "renamed",
      FlvParam: { RecordInterval: 1200 },
      Mp4Param: { RecordInterval: 300, Enable: 1 },
      HlsSpecialParam: { FlowContinueDuration: 0 },
    });
    const modified = (await client.DescribeLiveRecordTemplates({})).Templates?.find(
      (t) => t.TemplateId === id,
    );
    assert.equal(modified?.TemplateName, "renamed");
    assert.equal(modified?.Description, "d");
    assert.deepEqual(modified?.FlvParam, { RecordInterval: 1200, StorageTime: 86_400, Enable: 1 });
    assert.deepEqual(modified?.Mp4Param, { RecordInterval: 300, StorageTime: 0, Enable: 1 });
    assert.deepEqual(modified?.Mp3Param, created?.Mp3Param);
    assert.deepEqual(modified?.HlsSpecialParam, { FlowContinueDuration: 0 });
    assert.deepEqual(modified?.FlvSpecialParam, { UploadInRecording: true });
    await rejectsWith(
      client.ModifyLiveRecordTemplate({ TemplateId: id, AacParam: { RecordInterval: 7201 } }),
      "InvalidParameterValue",
    );
    await rejectsWith(
      client.ModifyLiveRecordTemplate({
        TemplateId: id,
        HlsSpecialParam: { FlowContinueDuration: 1801 },
      }),
      "InvalidParameterValue",
    );
  });

  test("SnapshotInterval: Create accepts 2–300 s (Tencent 267/32624), Modify 5–300 s as its request documents", async () => {
    const cos = { CosAppId: 1, CosBucket: "bucket", CosRegion: "ap-guangzhou" };
    const { TemplateId } = await client.CreateLiveSnapshotTemplate({
      TemplateName: "fast",
      SnapshotInterval: 2,
      ...cos,
    });
    const id = TemplateId as number;
    assert.equal(
      (await client.DescribeLiveSnapshotTemplate({ TemplateId: id })).Template?.SnapshotInterval,
      2,
    );
    await rejectsWith(
      client.CreateLiveSnapshotTemplate({ TemplateName: "t", SnapshotInterval: 1, ...cos }),
      "InvalidParameterValue",
    );
    await rejectsWith(
      client.CreateLiveSnapshotTemplate({ TemplateName: "t", SnapshotInterval: 301, ...cos }),
      "InvalidParameterValue",
    );

    await client.ModifyLiveSnapshotTemplate({
      TemplateId: id,
      ...cos,
      SnapshotInterval: 5,
      Width: 640,
      CosPrefix: "shots",
    });
    const modified = (await client.DescribeLiveSnapshotTemplates()).Templates?.find(
      (t) => t.TemplateId === id,
    );
    assert.equal(modified?.TemplateName, "fast");
    assert.equal(modified?.SnapshotInterval, 5);
    assert.equal(modified?.Width, 640);
    assert.equal(modified?.Height, 0);
    assert.equal(modified?.CosPrefix, "shots");
    await rejectsWith(
      client.ModifyLiveSnapshotTemplate({ TemplateId: id, ...cos, SnapshotInterval: 4 }),
      "InvalidParameterValue",
    );
  });

  test("DomainInfo has RentTag and RentExpireTime; DescribeLiveDomains has CreateLimitCount; Forbid/EnableLiveDomain set Status", async () => {
    const before = await client.DescribeLiveDomains({});
    const left = before.CreateLimitCount ?? -1;
    assert.equal(left, api.config.api.maxDomains - (before.AllCount ?? 0));
    await client.AddLiveDomain({ DomainName: "status.example.com", DomainType: 0 });
    const after = await client.DescribeLiveDomains({});
    assert.equal(after.CreateLimitCount, left - 1);

    const info = (await client.DescribeLiveDomain({ DomainName: "status.example.com" })).DomainInfo;
    assert.equal(info?.Status, 1);
    assert.equal(info?.RentTag, 0);
    assert.equal(info?.RentExpireTime, "");

    await client.ForbidLiveDomain({ DomainName: "status.example.com" });
    const stopped = await client.DescribeLiveDomain({ DomainName: "status.example.com" });
    assert.equal(stopped.DomainInfo?.Status, 0);
    const listStopped = await client.DescribeLiveDomains({ DomainStatus: 0 });
    assert.deepEqual(
      listStopped.DomainList?.map((d) => d.Name),
      ["status.example.com"],
    );
    assert.ok(
      !(await client.DescribeLiveDomains({ DomainStatus: 1 })).DomainList?.some(
        (d) => d.Name === "status.example.com",
      ),
    );
    await client.EnableLiveDomain({ DomainName: "status.example.com" });
    assert.equal(
      (await client.DescribeLiveDomain({ DomainName: "status.example.com" })).DomainInfo?.Status,
      1,
    );
    await rejectsWith(
      client.ForbidLiveDomain({ DomainName: "nowhere.example.com" }),
      "ResourceNotFound",
    );
    await rejectsWith(
      client.EnableLiveDomain({ DomainName: "nowhere.example.com" }),
      "ResourceNotFound",
    );
  });

  test("AddLiveDomain past api.maxDomains is FailedOperation.HostOutLimit", async () => {
    const small = await startApiServer({ api: { maxDomains: 2 } });
    try {
      const c = endpointClient(small.port);
      await c.AddLiveDomain({ DomainName: "a.example.com", DomainType: 0 });
      await c.AddLiveDomain({ DomainName: "b.example.com", DomainType: 1 });
      assert.equal((await c.DescribeLiveDomains({})).CreateLimitCount, 0);
      await rejectsWith(
        c.AddLiveDomain({ DomainName: "c.example.com", DomainType: 0 }),
        "FailedOperation.HostOutLimit",
      );
    } finally {
      await small.close();
    }
  });

  describe("publish history", () => {
    const base = Date.now() - 3600_000;
    /** Pushes and interruptions as the stream service commits them, `at` minutes after base. */
    async function publish(stream: string, startMin: number, endMin: number | null, errcode = 0) {
      const sequence = randomUUID();
      const facts = (minute: number): PublishFacts => ({
        appid: 1,
        app: "history.example.com",
        appname: "live",
        stream_id: stream,
        event_time: Math.floor((base + minute * 60_000) / 1000),
        sequence,
        node: "127.0.0.1",
        user_ip: "192.0.2.7",
        stream_param: "",
        set_id: 2,
        idc_id: 0,
        width: 640,
        height: 360,
      });
      const append = (eventType: number, minute: number, body: Record<string, unknown>) =>
        api.store.events.append(
          {
            id: randomUUID(),
            eventType,
            domainName: "history.example.com",
            appName: "live",
            streamId: stream,
            body,
            source: "ingest",
            createdAt: new Date(base + minute * 60_000),
          },
          [],
        );
      await append(1, startMin, buildPushEvent(facts(startMin)));
      if (endMin !== null) {
        await append(
          0,
          endMin,
          buildInterruptionEvent({
            ...facts(endMin),
            errcode,
            pushDurationMs: (endMin - startMin) * 60_000,
          }),
        );
      }
    }
    const window = { StartTime: utc(base - 60_000), EndTime: utc(base + 3600_000) };

    before(async () => {
      await publish("early-long", 0, 30);
      await publish("later-short", 10, 12, 1);
      await publish("still-live", 20, null);
    });

    test("DescribeLiveStreamEventList is by end time, newest first; IsAsc 1 oldest first", async () => {
      const desc = await client.DescribeLiveStreamEventList({
        ...window,
        DomainName: "history.example.com",
      });
      assert.deepEqual(
        desc.EventList?.map((e) => e.StreamName),
        ["still-live", "early-long", "later-short"],
      );
      const asc = await client.DescribeLiveStreamEventList({
        ...window,
        DomainName: "history.example.com",
        IsAsc: 1,
      });
      assert.deepEqual(
        asc.EventList?.map((e) => e.StreamName),
        ["later-short", "early-long", "still-live"],
      );
      const ended = asc.EventList?.[1];
      assert.equal(ended?.Duration, 1800);
      assert.equal(ended?.StreamStartTime, utc(base));
      assert.equal(ended?.StreamEndTime, utc(base + 30 * 60_000));
      assert.equal(ended?.Resolution, "640*360");
      assert.equal(asc.EventList?.[2]?.StreamEndTime, "");
    });

    test("DescribeLiveStreamEventList: StreamName substring, IsStrict exact; paging limits", async () => {
      const fuzzy = await client.DescribeLiveStreamEventList({ ...window, StreamName: "long" });
      assert.deepEqual(
        fuzzy.EventList?.map((e) => e.StreamName),
        ["early-long"],
      );
      const strict = await client.DescribeLiveStreamEventList({
        ...window,
        StreamName: "long",
        IsStrict: 1,
      });
      assert.equal(strict.TotalNum, 0);
      const paged = await client.DescribeLiveStreamEventList({
        ...window,
        DomainName: "history.example.com",
        PageSize: 2,
        PageNum: 2,
      });
      assert.equal(paged.TotalNum, 3);
      assert.equal(paged.TotalPage, 2);
      assert.deepEqual(
        paged.EventList?.map((e) => e.StreamName),
        ["later-short"],
      );
      await rejectsWith(
        client.DescribeLiveStreamEventList({ ...window, PageSize: 100, PageNum: 101 }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.DescribeLiveStreamEventList({ ...window, PageSize: 101 }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.DescribeLiveStreamEventList({
          StartTime: utc(base - 40 * 86_400_000),
          EndTime: utc(base),
        }),
        "InvalidParameterValue",
      );
    });

    test("DescribeLiveStreamEventList lists refused publishes (failed starts) unless IsFilter is 1", async () => {
      await api.store.refusals.record({
        domainName: "refused.example.com",
        appName: "live",
        streamName: "banned",
        clientIp: "192.0.2.9",
        errcode: 18,
        subErrcode: 305,
      });
      const query = {
        StartTime: window.StartTime,
        EndTime: utc(Date.now() + 60_000),
        DomainName: "refused.example.com",
      };
      const all = await client.DescribeLiveStreamEventList(query);
      assert.equal(all.TotalNum, 1);
      const failed = all.EventList?.[0];
      assert.equal(failed?.StreamName, "banned");
      assert.equal(failed?.StopReason, "18: The stream is disabled.");
      assert.equal(failed?.Duration, 0);
      assert.equal(failed?.ClientIp, "192.0.2.9");
      assert.equal(failed?.StreamStartTime, failed?.StreamEndTime);
      const filtered = await client.DescribeLiveStreamEventList({ ...query, IsFilter: 1 });
      assert.equal(filtered.TotalNum, 0);
      // A refusal is not a publish: DescribeLiveStreamPublishedList leaves it out.
      const published = await client.DescribeLiveStreamPublishedList(query);
      assert.equal(published.TotalNum, 0);
    });

    test("DescribeLiveStreamPublishedList: the domain's publishes, newest start first", async () => {
      const list = await client.DescribeLiveStreamPublishedList({
        DomainName: "history.example.com",
        ...window,
      });
      assert.equal(list.TotalNum, 3);
      assert.deepEqual(
        list.PublishInfo?.map((p) => p.StreamName),
        ["still-live", "later-short", "early-long"],
      );
      assert.equal(list.PublishInfo?.[1]?.StopReason?.split(":")[0], "1");
      assert.equal(list.PublishInfo?.[1]?.ClientIp, "192.0.2.7");
      const oneStream = await client.DescribeLiveStreamPublishedList({
        DomainName: "history.example.com",
        AppName: "live",
        StreamName: "short",
        ...window,
      });
      assert.deepEqual(
        oneStream.PublishInfo?.map((p) => p.StreamName),
        ["later-short"],
      );
      const otherApp = await client.DescribeLiveStreamPublishedList({
        DomainName: "history.example.com",
        AppName: "liv",
        ...window,
      });
      assert.equal(otherApp.TotalNum, 0, "AppName is exact");
      await rejectsWith(
        client.DescribeLiveStreamPublishedList({
          DomainName: "history.example.com",
          ...window,
          PageSize: 5,
        }),
        "InvalidParameterValue",
      );
      await rejectsWith(
        client.DescribeLiveStreamPublishedList(
          window as unknown as Parameters<LiveClient["DescribeLiveStreamPublishedList"]>[0],
        ),
        "MissingParameter",
      );
    });
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import type { Client as LiveClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/live/v20180801/live_client.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const AUTH_DOMAIN = "auth.onair.test";
const MAIN_KEY = "mainKey0123456789";
const BACKUP_KEY = "backupKey987654321";

/**
 * Push authentication, stream control and the second publisher, driven through the official
 * tencentcloud-sdk-nodejs LiveClient and real RTMP clients.
 */
describe("RTMP ingest: push auth and stream control through the official SDK", () => {
  let h: IngestHarness;
  let sdk: LiveClient;
  before(async () => {
    h = await startIngestHarness({ idleTimeoutMs: 10_000, pushEventWaitMs: 0 });
    sdk = h.sdk;
    await sdk.AddLiveDomain({ DomainName: AUTH_DOMAIN, DomainType: 0, PlayType: 1 });
    await sdk.ModifyLivePushAuthKey({
      DomainName: AUTH_DOMAIN,
      Enable: 1,
      MasterAuthKey: MAIN_KEY,
      BackupAuthKey: BACKUP_KEY,
    });
    await sdk.CreateLiveCallbackRule({
      DomainName: AUTH_DOMAIN,
      AppName: "",
      TemplateId: h.templateId,
    });
  });
  after(async () => {
    await h.stop();
  });

  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
  const signed = (stream: string, key: string, expiresAt = inAnHour()) => {
    const { txSecret, txTime } = signPushUrl({ key, streamName: stream, expiresAt });
    return `${stream}?txSecret=${txSecret}&txTime=${txTime}`;
  };

  async function tryPublish(
    stream: string,
  ): Promise<{ client: RtmpTestClient; code: string; streamId: number }> {
    const client = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    const result = await client.publish({ stream, tcUrl: `rtmp://${AUTH_DOMAIN}/live` });
    return { client, ...result };
  }

  test("ffmpeg with a URL signed by the main key is accepted and makes a push", async () => {
    const url = h.rtmpUrl(`live/${signed("signed-main", MAIN_KEY)}&domain=${AUTH_DOMAIN}`);
    const ffmpeg = publishWithFfmpeg(url, { seconds: 1 });
    const [push] = await h.events("signed-main", 1);
    assert.equal(push?.app, AUTH_DOMAIN);
    assert.match(
      String(push?.stream_param),
      /^txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+&domain=auth\.onair\.test$/,
    );
    assert.equal((await ffmpeg.exited).code, 0);
  });

  test("the backup key is accepted", async () => {
    const { client, code } = await tryPublish(signed("signed-backup", BACKUP_KEY));
    assert.equal(code, "NetStream.Publish.Start");
    await h.events("signed-backup", 1);
    client.end();
  });

  for (const [name, stream] of [
    [
      "a wrong secret",
      `wrong-secret?txSecret=${"0".repeat(32)}&txTime=${inAnHour().toString(16).toUpperCase()}`,
    ],
    ["an expired txTime", "expired"],
    ["missing parameters", "unsigned"],
  ] as const) {
    test(`${name} is refused with NetStream.Publish.Unauthorized, no push, connection closed`, async () => {
      const target =
        name === "an expired txTime"
          ? signed("expired", MAIN_KEY, Math.floor(Date.now() / 1000) - 60)
          : stream;
      const { client, code } = await tryPublish(target);
      assert.equal(code, "NetStream.Publish.Unauthorized");
      await client.closed;
      const streamName = target.split("?")[0] as string;
      await assert.rejects(h.events(streamName, 1, 1, 500), /waited/);
    });
  }

  test("online list and state, DropLiveStream (errcode 21), Forbid and Resume", async () => {
    const first = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    const { code, streamId } = await first.publish({ stream: "controlled" });
    assert.equal(code, "NetStream.Publish.Start");
    first.sendAudio(streamId, 0);
    await h.events("controlled", 1);

    const online = await sdk.DescribeLiveStreamOnlineList({
      DomainName: TEST_DOMAIN,
      StreamName: "controlled",
    });
    assert.equal(online.TotalNum, 1);
    assert.equal(online.OnlineInfo?.[0]?.AppName, "live");
    assert.match(
      String(online.OnlineInfo?.[0]?.PublishTimeList?.[0]?.PublishTime),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    const key = { DomainName: TEST_DOMAIN, AppName: "live", StreamName: "controlled" };
    assert.equal((await sdk.DescribeLiveStreamState(key)).StreamState, "active");

    await sdk.DropLiveStream(key);
    const [dropped] = await h.events("controlled", 0);
    assert.equal(dropped?.errcode, 21);
    // Tencent 267/31083, 21/100: not "The live streaming system has an internal error".
    assert.equal(dropped?.errmsg, "The stream was stopped at your request");
    await first.closed;
    assert.equal((await sdk.DescribeLiveStreamState(key)).StreamState, "inactive");
    // Tencent 267/30795: dropping a stream that is not live succeeds (issue 13).
    assert.deepEqual(Object.keys(await sdk.DropLiveStream(key)), ["RequestId"]);

    await sdk.ForbidLiveStream({ ...key, Reason: "test ban" });
    assert.equal((await sdk.DescribeLiveStreamState(key)).StreamState, "forbid");
    const banned = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    assert.equal((await banned.publish({ stream: "controlled" })).code, "NetStream.Publish.Denied");
    await banned.closed;

    await sdk.ResumeLiveStream(key);
    const again = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    assert.equal((await again.publish({ stream: "controlled" })).code, "NetStream.Publish.Start");
    await h.events("controlled", 1, 2);
    again.end();
    await h.events("controlled", 0, 2);

    const now = new Date();
    const hourAgo = new Date(now.getTime() - 3600_000);
    const fmt = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
    const window = {
      StartTime: fmt(hourAgo),
      EndTime: fmt(new Date(now.getTime() + 60_000)),
      StreamName: "controlled",
      IsStrict: 1,
    };
    // The banned attempt is listed as a failed start (18) unless IsFilter is 1.
    const list = await sdk.DescribeLiveStreamEventList(window);
    assert.equal(list.TotalNum, 3);
    const reasons = list.EventList?.map((e) => e.StopReason);
    assert.ok(reasons?.includes("21: The stream was stopped at your request."), String(reasons));
    assert.deepEqual(list.EventList?.map((e) => e.StopReason?.split(":")[0]).sort(), [
      "18",
      "21",
      "3",
    ]);
    const started = await sdk.DescribeLiveStreamEventList({ ...window, IsFilter: 1 });
    assert.deepEqual(started.EventList?.map((e) => e.StopReason?.split(":")[0]).sort(), [
      "21",
      "3",
    ]);
    const published = await sdk.DescribeLiveStreamPublishedList({
      DomainName: TEST_DOMAIN,
      StartTime: fmt(hourAgo),
      EndTime: fmt(new Date(now.getTime() + 60_000)),
      AppName: "live",
      StreamName: "controlled",
    });
    assert.equal(published.TotalNum, 2);
    assert.ok(published.PublishInfo?.every((p) => p.ClientIp === "127.0.0.1"));
  });

  test("ForbidLiveDomain: a real ffmpeg push to the stopped domain is refused (18/303); EnableLiveDomain lets it in again", async () => {
    const live = await tryPublish(signed("before-forbid", MAIN_KEY));
    assert.equal(live.code, "NetStream.Publish.Start");
    await h.events("before-forbid", 1);

    await sdk.ForbidLiveDomain({ DomainName: AUTH_DOMAIN });
    assert.equal((await sdk.DescribeLiveDomain({ DomainName: AUTH_DOMAIN })).DomainInfo?.Status, 0);
    const url = h.rtmpUrl(`live/${signed("stopped-domain", MAIN_KEY)}&domain=${AUTH_DOMAIN}`);
    const refused = await publishWithFfmpeg(url, { seconds: 2 }).exited;
    assert.notEqual(refused.code, 0, "ffmpeg fails when its publish is refused");
    const raw = await tryPublish(signed("stopped-domain", MAIN_KEY));
    assert.equal(raw.code, "NetStream.Publish.Denied");
    await raw.client.closed;
    await assert.rejects(h.events("stopped-domain", 1, 1, 500), /waited/);
    // A publish that was already live goes on.
    assert.equal(
      (
        await sdk.DescribeLiveStreamState({
          DomainName: AUTH_DOMAIN,
          AppName: "live",
          StreamName: "before-forbid",
        })
      ).StreamState,
      "active",
    );
    live.client.end();

    await sdk.EnableLiveDomain({ DomainName: AUTH_DOMAIN });
    assert.equal((await sdk.DescribeLiveDomain({ DomainName: AUTH_DOMAIN })).DomainInfo?.Status, 1);
    const accepted = publishWithFfmpeg(url, { seconds: 1 });
    await h.events("stopped-domain", 1);
    assert.equal((await accepted.exited).code, 0);
  });

  test("a second publisher with the push key replaces the first (errcode 21 for the first)", async () => {
    // ingest.duplicatePublish "replace-authenticated" (the default): the newcomer proved the key.
    const { client: first, code } = await tryPublish(signed("contested", MAIN_KEY));
    assert.equal(code, "NetStream.Publish.Start");
    const [firstPush] = await h.events("contested", 1);
    const { client: second, code: b } = await tryPublish(signed("contested", BACKUP_KEY));
    assert.equal(b, "NetStream.Publish.Start");
    const [end] = await h.events("contested", 0);
    assert.equal(end?.errcode, 21);
    assert.equal(end?.errmsg, "A new push URL replaced the current one", "21/102");
    assert.equal(end?.sequence, firstPush?.sequence);
    const pushes = await h.events("contested", 1, 2);
    assert.notEqual(pushes[1]?.sequence, firstPush?.sequence);
    await first.closed;
    second.end();
  });
});

import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const AUTH_DOMAIN = "keyed.onair.test";
const OPEN_DOMAIN = "open.onair.test";
const PUSH_KEY = "hijackPushKey0123";

/** A non-loopback address of this machine, to connect from something other than loopback. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === "IPv4")?.address;

/**
 * Regression (issue 11, defect 9): with the defaults any anonymous client could kick a live
 * publisher off an unregistered domain (errcode 21). Now a second publisher replaces a live one
 * only when it proved the domain's push key; otherwise it is refused (18/601) and the first stays
 * live. Real ffmpeg as the victim, byte-level RTMP clients as the hijackers, default config.
 */
describe("RTMP ingest: a second publisher under the default policy", { timeout: 60_000 }, () => {
  let h: IngestHarness;
  before(async () => {
    // Listening on every interface so a publisher can also arrive from a non-loopback address.
    h = await startIngestHarness(
      { pushEventWaitMs: 0 },
      { rtmpHost: "0.0.0.0", secretKey: "hijackTestSecretKey-0123456789" },
    );
    await h.onair.store.domains.create({
      name: AUTH_DOMAIN,
      type: 0,
      pushAuth: { enabled: true, mainKey: PUSH_KEY, backupKey: "", authDeltaSeconds: 0 },
    });
    await h.onair.store.domains.create({
      name: OPEN_DOMAIN,
      type: 0,
      pushAuth: { enabled: false, mainKey: "", backupKey: "", authDeltaSeconds: 0 },
    });
    for (const domainName of [AUTH_DOMAIN, OPEN_DOMAIN]) {
      await h.onair.store.rules.upsert({ domainName, appName: "", templateId: h.templateId });
    }
  });
  after(async () => {
    await h?.stop();
  });

  const signed = (stream: string) => {
    const { txSecret, txTime } = signPushUrl({
      key: PUSH_KEY,
      streamName: stream,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    return `${stream}?txSecret=${txSecret}&txTime=${txTime}`;
  };
  const hijack = async (stream: string, tcUrl?: string) => {
    const client = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    const { code } = await client.publish({ stream, ...(tcUrl ? { tcUrl } : {}) });
    await client.closed;
    return code;
  };

  test("anonymous hijackers are refused and the real ffmpeg on an unregistered domain stays live", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/cam1"), { seconds: 5 });
    const [push] = await h.events("cam1", 1);
    assert.equal(push?.app, TEST_DOMAIN);
    for (let i = 0; i < 10; i++) {
      assert.equal(await hijack("cam1"), "NetStream.Publish.BadName", `attempt ${i + 1}`);
    }
    const exit = await ffmpeg.exited;
    assert.equal(exit.code, 0, `ffmpeg was cut off: ${exit.stderr}`);
    const [end] = await h.events("cam1", 0);
    assert.equal(end?.errcode, 1, "the publish ended normally, not replaced (21)");
    assert.equal(end?.sequence, push?.sequence);
    assert.equal((await h.events("cam1", 1)).length, 1, "no hijacker's publish ever started");
  });

  test("on an added domain without push auth, a second publisher is refused too", async () => {
    const first = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    const tcUrl = `rtmp://${OPEN_DOMAIN}/live`;
    const a = await first.publish({ stream: "open1", tcUrl });
    assert.equal(a.code, "NetStream.Publish.Start");
    await h.events("open1", 1);
    assert.equal(await hijack("open1", tcUrl), "NetStream.Publish.BadName");
    first.end();
    const [end] = await h.events("open1", 0);
    assert.notEqual(end?.errcode, 21);
  });

  test("a publisher with the domain's push key replaces a live one (errcode 21); without it is refused", async () => {
    const tcUrl = `rtmp://${AUTH_DOMAIN}/live`;
    const ffmpeg = publishWithFfmpeg(
      h.rtmpUrl(`live/${signed("keyed1")}&domain=${AUTH_DOMAIN}`),
      {},
    );
    const [push] = await h.events("keyed1", 1);
    assert.equal(await hijack("keyed1", tcUrl), "NetStream.Publish.Unauthorized");
    const owner = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    const b = await owner.publish({ stream: signed("keyed1"), tcUrl });
    assert.equal(b.code, "NetStream.Publish.Start");
    const [end] = await h.events("keyed1", 0);
    assert.equal(end?.errcode, 21);
    assert.equal(end?.sequence, push?.sequence);
    await ffmpeg.exited;
    owner.end();
    await h.events("keyed1", 0, 2);
  });

  test("an unregistered domain is refused to a publisher that is not on loopback", async (t) => {
    if (!externalAddress) {
      t.skip("this machine has no non-loopback IPv4 address to connect from");
      return;
    }
    const client = await RtmpTestClient.connect(h.onair.rtmpPort as number, externalAddress);
    const { code } = await client.publish({ stream: "remote1" });
    assert.equal(code, "NetStream.Publish.Denied");
    await client.closed;
    const local = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    assert.equal((await local.publish({ stream: "remote1" })).code, "NetStream.Publish.Start");
    local.end();
    await h.events("remote1", 0);
  });
});

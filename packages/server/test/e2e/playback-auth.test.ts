import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { probeLive } from "../helpers/live-player.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { onair } from "./cli-devtools-process.js";

const PLAY_DOMAIN = "play.example.com";
const MAIN_KEY = "PlayMainKey0123456789";
const BACKUP_KEY = "PlayBackupKey987654321";

/**
 * Play domains and play authentication (docs/playback.md) set through the official SDK
 * (ModifyLivePlayAuthKey, DescribeLivePlayAuthKey) and checked by real players: ffprobe over
 * RTMP, and HTTP-FLV requests with the play domain in `domain=` or the Host header.
 */
describe("playback: play domains and play authentication", () => {
  let t: TestOnAir;
  let publisher: FfmpegPublisher;
  const logs: Record<string, unknown>[] = [];
  const now = () => Math.floor(Date.now() / 1000);
  const query = (key: string, expiresAt: number, extra = `&domain=${PLAY_DOMAIN}`) => {
    const { txSecret, txTime } = signPushUrl({ key, streamName: "sec", expiresAt });
    return `txSecret=${txSecret}&txTime=${txTime}${extra}`;
  };
  const rtmp = (q: string) => t.rtmpUrl(`live/sec?${q}`);
  const flv = (q: string) => fetch(`${t.httpUrl}/live/sec.flv?${q}`);

  before(async () => {
    t = await startTestOnAir({ rtmp: true, logger: captureLogs("info", logs).logger });
    await t.sdk.AddLiveDomain({ DomainName: PLAY_DOMAIN, DomainType: 1 });
    await t.sdk.ModifyLivePlayAuthKey({
      DomainName: PLAY_DOMAIN,
      Enable: 1,
      AuthKey: MAIN_KEY,
      AuthBackKey: BACKUP_KEY,
    });
    // Pushed on an unregistered push domain (from loopback): it plays on every play domain.
    publisher = publishWithFfmpeg(t.rtmpUrl("live/sec"));
    await waitFor(
      "sec live",
      async () => (await t.onair.store.streams.list({ streamName: "sec" })).length === 1,
    );
  });
  after(async () => {
    publisher.child.kill("SIGKILL");
    await publisher.exited;
    await t.stop();
  });

  test("DescribeLivePlayAuthKey returns PlayAuthKeyInfo as set; push domains are refused", async () => {
    const { PlayAuthKeyInfo } = await t.sdk.DescribeLivePlayAuthKey({ DomainName: PLAY_DOMAIN });
    assert.deepEqual(PlayAuthKeyInfo, {
      DomainName: PLAY_DOMAIN,
      Enable: 1,
      AuthKey: MAIN_KEY,
      AuthDelta: 0,
      AuthBackKey: BACKUP_KEY,
    });
    await t.sdk.AddLiveDomain({ DomainName: "push.example.com", DomainType: 0 });
    await assert.rejects(
      t.sdk.ModifyLivePlayAuthKey({ DomainName: "push.example.com", Enable: 1, AuthKey: "abc" }),
      (err: { code?: string }) => err.code === "InvalidParameterValue",
    );
    await assert.rejects(
      t.sdk.DescribeLivePlayAuthKey({ DomainName: "missing.example.com" }),
      (err: { code?: string }) => err.code === "ResourceNotFound.DomainNotExist",
    );
  });

  test("RTMP: main and backup keys play; wrong, missing and expired are NetStream.Play.Failed", async () => {
    const main = await probeLive(rtmp(query(MAIN_KEY, now() + 600)), 1);
    assert.ok(main.streams.some((s) => s.codec_name === "h264"));
    const backup = await probeLive(rtmp(query(BACKUP_KEY, now() + 600)), 1);
    assert.ok(backup.streams.some((s) => s.codec_name === "h264"));
    await assert.rejects(probeLive(rtmp(query("WrongKey", now() + 600)), 1), /mismatch/);
    await assert.rejects(probeLive(rtmp(query(MAIN_KEY, now() - 60)), 1), /expired/);
    await assert.rejects(probeLive(rtmp(`domain=${PLAY_DOMAIN}`), 1), /missing-time/);
  });

  test("HTTP-FLV: main and backup keys 200; wrong, missing and expired 403 ONAIR_ERR_PLAY_REFUSED", async () => {
    for (const key of [MAIN_KEY, BACKUP_KEY]) {
      const res = await flv(query(key, now() + 600));
      assert.equal(res.status, 200, key);
      await res.body?.cancel();
    }
    for (const q of [
      query("WrongKey", now() + 600),
      query(MAIN_KEY, now() - 60),
      `domain=${PLAY_DOMAIN}`,
    ]) {
      const res = await flv(q);
      assert.equal(res.status, 403, q);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, "ONAIR_ERR_PLAY_REFUSED");
      assert.match(body.error.message, /play authentication failed/);
    }
    const ffprobe = await probeLive(`${t.httpUrl}/live/sec.flv?${query(MAIN_KEY, now() + 600)}`, 1);
    assert.ok(ffprobe.streams.some((s) => s.codec_name === "aac"));
  });

  test("the Host header names the play domain", async () => {
    const status = (host: string, q: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${t.httpUrl}/live/sec.flv?${q}`, { headers: { host } }, (res) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        });
        req.on("error", reject);
        req.end();
      });
    assert.equal(await status(`${PLAY_DOMAIN}:8080`, query(MAIN_KEY, now() + 600, "")), 200);
    assert.equal(await status(PLAY_DOMAIN, query("WrongKey", now() + 600, "")), 403);
    assert.equal(await status("push.example.com", ""), 403, "a push domain is not played");
  });

  test("AuthDelta: a txTime that passed less than AuthDelta ago still plays", async () => {
    await t.sdk.ModifyLivePlayAuthKey({ DomainName: PLAY_DOMAIN, AuthDelta: 3600 });
    const res = await flv(query(MAIN_KEY, now() - 60));
    assert.equal(res.status, 200);
    await res.body?.cancel();
    await t.sdk.ModifyLivePlayAuthKey({ DomainName: PLAY_DOMAIN, AuthDelta: 0 });
  });

  test("onair play-url --server prints URLs that play over both protocols; a wrong key's do not", async () => {
    const urls = async (key: string) => {
      const result = await onair([
        "play-url",
        "--domain",
        PLAY_DOMAIN,
        "--stream",
        "sec",
        "--key",
        key,
        "--server",
        `127.0.0.1:${t.onair.rtmpPort}`,
        "--http-server",
        `127.0.0.1:${t.onair.httpPort}`,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split("\n");
      assert.equal(lines.length, 2);
      assert.match(
        lines[0] ?? "",
        /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/sec\?txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+&domain=/,
      );
      assert.match(lines[1] ?? "", /^http:\/\/127\.0\.0\.1:\d+\/live\/sec\.flv\?/);
      return lines as [string, string];
    };
    for (const url of await urls(BACKUP_KEY)) {
      const probe = await probeLive(url, 1);
      assert.ok(
        probe.streams.some((s) => s.codec_name === "h264"),
        url,
      );
    }
    for (const url of await urls("NotTheKey")) {
      await assert.rejects(probeLive(url, 1), /mismatch|403/, url);
    }
  });

  test("every refused play is logged", async () => {
    const refused = logs.filter((l) => l.msg === "play refused");
    assert.ok(refused.length >= 9, `${refused.length} refusals logged`);
    assert.ok(refused.some((l) => l.protocol === "rtmp" && /mismatch/.test(String(l.description))));
    assert.ok(refused.some((l) => l.protocol === "flv" && /expired/.test(String(l.description))));
    const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
    assert.match(metrics, /onair_play_refusals_total\{reason="auth"\} (9|\d\d)/);
  });
});

describe("playback: unregistered play domains", () => {
  test("playback.allowUnregisteredDomains false: a play on an unregistered domain is refused", async () => {
    const t = await startTestOnAir({
      rtmp: true,
      flags: { playback: { allowUnregisteredDomains: false } },
    });
    const publisher = publishWithFfmpeg(t.rtmpUrl("live/open"));
    try {
      await waitFor(
        "open live",
        async () => (await t.onair.store.streams.list({ streamName: "open" })).length === 1,
      );
      const res = await fetch(`${t.httpUrl}/live/open.flv`);
      assert.equal(res.status, 403);
      assert.match(
        ((await res.json()) as { error: { message: string } }).error.message,
        /not added/,
      );
      await t.sdk.AddLiveDomain({ DomainName: "watch.example.com", DomainType: 1 });
      const open = await fetch(`${t.httpUrl}/live/open.flv?domain=watch.example.com`);
      assert.equal(open.status, 200, "a play domain without play auth is open");
      await open.body?.cancel();
    } finally {
      publisher.child.kill("SIGKILL");
      await publisher.exited;
      await t.stop();
    }
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { checkPushAuth } from "@onair/callbacks";
import { dashboardPlayUrl, dashboardViewers } from "../../src/dashboard/play-info.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";

const NO_AUTH = { enabled: false, mainKey: "", backupKey: "", authDeltaSeconds: 0 };
const NOW = 1_800_000_000;

describe("DashboardPlayUrl: the player's HTTP-FLV URL", () => {
  let dir: string;
  let store: Store;
  const playUrl = (pageHost: string, playDomain?: string) =>
    dashboardPlayUrl(
      { store, nowSeconds: NOW },
      { appName: "live", streamName: "cam 1", pageHost, ...(playDomain ? { playDomain } : {}) },
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "onair-play-info-"));
    store = createSqliteStore({ path: join(dir, "onair.db") });
    await store.migrate();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("no play domain added: a bare path (an unregistered domain plays it)", async () => {
    const info = await playUrl("127.0.0.1");
    assert.equal(info.FlvUrl, "/live/cam%201.flv");
    assert.equal(info.HlsUrl, "/live/cam%201.m3u8");
    assert.equal(info.PlayDomain, "");
    assert.equal(info.AuthEnabled, false);
  });

  test("by address: the first play domain is named with domain=, signed when it has auth", async () => {
    await store.domains.create({ name: "push.example.com", type: 0, pushAuth: NO_AUTH });
    await store.domains.create({ name: "play.example.com", type: 1, pushAuth: NO_AUTH });
    // Domains list by creation time, then name: a later millisecond makes "open" the second.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.domains.create({ name: "open.example.com", type: 1, pushAuth: NO_AUTH });
    await store.domains.updatePlayAuth("play.example.com", {
      ...NO_AUTH,
      enabled: true,
      mainKey: "MainPlayKey",
      backupKey: "BackupPlayKey",
    });
    const info = await playUrl("127.0.0.1");
    assert.equal(info.PlayDomain, "play.example.com");
    assert.deepEqual(info.PlayDomains, ["play.example.com", "open.example.com"]);
    assert.equal(info.AuthEnabled, true);
    assert.ok(!JSON.stringify(info).includes("PlayKey"), "no key in the answer");
    const url = new URL(info.FlvUrl, "http://127.0.0.1:8080");
    // The HLS playlist carries the same query: play auth signs the stream name, not the path.
    const hls = new URL(info.HlsUrl, "http://127.0.0.1:8080");
    assert.equal(hls.pathname, "/live/cam%201.m3u8");
    assert.equal(hls.search, url.search);
    assert.equal(url.searchParams.get("domain"), "play.example.com");
    // The signature is the one the play check accepts (Tencent 267/31560), for an hour.
    const verdict = checkPushAuth({
      streamName: "cam 1",
      query: url.search.slice(1),
      mainKey: "MainPlayKey",
      backupKey: "",
      nowSeconds: NOW + 3_599,
    });
    assert.deepEqual(verdict, { ok: true, matched: "main" });
    assert.equal(info.ExpireTime, new Date((NOW + 3_600) * 1000).toISOString());
  });

  test("a chosen play domain without auth: named, unsigned", async () => {
    const info = await playUrl("::1", "open.example.com");
    assert.equal(info.FlvUrl, "/live/cam%201.flv?domain=open.example.com");
    assert.equal(info.AuthEnabled, false);
  });

  test("under a host name, that host is the play domain (no domain=), signed with its key", async () => {
    const signed = await playUrl("PLAY.example.com");
    assert.equal(signed.PlayDomain, "play.example.com");
    assert.equal(signed.AuthEnabled, true);
    assert.equal(new URL(signed.FlvUrl, "http://x").searchParams.get("domain"), null);
    const unknown = await playUrl("onair.example.com");
    assert.deepEqual(
      [unknown.FlvUrl, unknown.PlayDomain, unknown.AuthEnabled],
      ["/live/cam%201.flv", "onair.example.com", false],
    );
  });

  test("a push domain's keys never sign a play URL", async () => {
    await store.domains.updatePushAuth("push.example.com", {
      ...NO_AUTH,
      enabled: true,
      mainKey: "PushKey",
    });
    const info = await playUrl("push.example.com");
    assert.equal(info.AuthEnabled, false);
  });
});

describe("DashboardViewers", () => {
  test("the node's counters for AppName/StreamName; zeros for an unknown stream or no playback", () => {
    const figures = { streams: new Map([["live/cam1", { online: 3, requests: 5, bytes: 900 }]]) };
    assert.deepEqual(dashboardViewers(figures, "live", "cam1"), {
      PlaybackEnabled: true,
      Viewers: 3,
      Requests: 5,
      Bytes: 900,
    });
    assert.equal(dashboardViewers(figures, "live", "other").Viewers, 0);
    assert.equal(dashboardViewers(undefined, "live", "cam1").PlaybackEnabled, false);
  });
});

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { findDashboardAssets } from "../../src/dashboard/static-route.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * The stream view's player in Debian's chromium (playwright-core), against a real OnAir and a
 * real ffmpeg push. The stream plays on a play domain with play authentication, so the player's
 * HTTP-FLV URL must be the one the dashboard's server signed. Debian's chromium decodes H.264
 * (checked: `MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"')` is true), so the
 * test asserts real playback: the `<video>`'s currentTime advances past 2 s and mpegts.js
 * reports decoded frames; the viewer count shown is the node's own counter.
 */

const CHROMIUM = "/usr/bin/chromium";
const PLAY_DOMAIN = "play.dash.test";
const PLAY_KEY = "DashPlayMainKey0123";
const STREAM = "cam1";
const UI_TIMEOUT_MS = 20_000;

describe("dashboard player", { timeout: 60_000 }, () => {
  let t: TestOnAir;
  let context: BrowserContext;
  let page: Page;
  let publisher: FfmpegPublisher;
  let profile = "";
  const flvRequests: string[] = [];
  const hlsRequests: string[] = [];

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: run scripts/ensure-deps.sh --services`,
    );
    assert.ok(findDashboardAssets(), "the dashboard is not built: run `npm run build`");
    t = await startTestOnAir({ rtmp: true });
    await t.sdk.AddLiveDomain({ DomainName: PLAY_DOMAIN, DomainType: 1 });
    await t.sdk.ModifyLivePlayAuthKey({ DomainName: PLAY_DOMAIN, Enable: 1, AuthKey: PLAY_KEY });
    publisher = publishWithFfmpeg(t.rtmpUrl(`live/${STREAM}`), { seconds: 40 });
    await waitFor(
      `${STREAM} live`,
      async () => (await t.onair.store.streams.list({ streamName: STREAM })).length === 1,
    );
    profile = mkdtempSync(join(tmpdir(), "onair-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on("request", (req) => {
      const path = new URL(req.url()).pathname;
      if (path.endsWith(".flv")) flvRequests.push(req.url());
      if (path === `/live/${STREAM}.m3u8`) hlsRequests.push(req.url());
    });
  });

  after(async () => {
    publisher?.child.kill("SIGKILL");
    await context?.close();
    await t?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test("an unsigned play on the auth play domain is refused (what the player must get past)", async () => {
    const res = await fetch(`${t.httpUrl}/live/${STREAM}.flv?domain=${PLAY_DOMAIN}`);
    assert.equal(res.status, 403);
    await res.body?.cancel();
  });

  test("Watch plays the stream: currentTime advances, frames decode, 1 viewer shown", async () => {
    await page.goto(`${t.httpUrl}/dashboard/#/streams`);
    await page.getByLabel("SecretId", { exact: true }).fill(t.secretId);
    await page.getByLabel("SecretKey", { exact: true }).fill(t.secretKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Streams" }).waitFor();
    const playUrlReply = page.waitForResponse((r) => r.url().endsWith("/DashboardPlayUrl"));
    await page.getByRole("button", { name: `Watch ${STREAM}` }).click();
    const reply = await (await playUrlReply).text();
    assert.ok(!reply.includes(PLAY_KEY), "the play key must never reach the browser");

    await page.waitForFunction(
      () => (document.querySelector("video")?.currentTime ?? 0) > 2,
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    const played = await page.evaluate(() => {
      const video = document.querySelector("video") as HTMLVideoElement;
      return {
        currentTime: video.currentTime,
        width: video.videoWidth,
        height: video.videoHeight,
        frames: video.getVideoPlaybackQuality().totalVideoFrames,
      };
    });
    assert.ok(played.currentTime > 2, `currentTime ${played.currentTime}`);
    assert.deepEqual([played.width, played.height], [640, 360]);
    assert.ok(played.frames > 25, `only ${played.frames} frames decoded`);
    await page.locator('[data-figure="viewers"]').filter({ hasText: /^1$/ }).waitFor();
    await page
      .locator('[data-figure="bitrate"]')
      .filter({ hasText: /Mbit\/s$/ })
      .waitFor();

    // The player read the signed URL on the play domain, through this server.
    assert.equal(flvRequests.length, 1, flvRequests.join("\n"));
    const used = new URL(flvRequests[0] as string);
    assert.equal(used.origin, t.httpUrl);
    assert.equal(used.pathname, `/live/${STREAM}.flv`);
    assert.equal(used.searchParams.get("domain"), PLAY_DOMAIN);
    assert.match(used.searchParams.get("txSecret") ?? "", /^[0-9a-f]{32}$/);
    assert.match(used.searchParams.get("txTime") ?? "", /^[0-9A-F]+$/);
  });

  test("Close player ends the play: the node counts 0 viewers again", async () => {
    await page.getByRole("button", { name: "Close player" }).click();
    await waitFor("viewer gone", async () => {
      const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
      return metrics.includes(`onair_play_stream_viewers{stream="live/${STREAM}"} 0`);
    });
  });

  test("?player=hls plays the stream's LL-HLS through hls.js, on the same signed query", async () => {
    await page.goto(`${t.httpUrl}/dashboard/?player=hls#/streams`);
    await page.getByRole("heading", { level: 1, name: "Streams" }).waitFor();
    await page.getByRole("button", { name: `Watch ${STREAM}` }).click();
    await page.locator('[data-figure="protocol"]').filter({ hasText: "LL-HLS (hls.js)" }).waitFor();
    // hls.js starts near the live edge (currentTime is seconds in at once) and may jump to it:
    // what must grow is what was decoded, 2 s of frames, while currentTime moves on.
    const startedAt = await page.evaluate(async () => {
      const video = document.querySelector("video") as HTMLVideoElement;
      while (video.currentTime === 0) await new Promise((r) => setTimeout(r, 50));
      return video.currentTime;
    });
    await page.waitForFunction(
      () => (document.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 50,
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    const playedTo = await page.evaluate(
      () => (document.querySelector("video") as HTMLVideoElement).currentTime,
    );
    assert.ok(playedTo > startedAt + 1, `currentTime ${startedAt} → ${playedTo}`);
    await page.locator('[data-figure="latency"]').filter({ hasText: / s$/ }).waitFor();
    assert.equal(hlsRequests.length, 1, hlsRequests.join("\n"));
    const used = new URL(hlsRequests[0] as string);
    assert.equal(used.searchParams.get("domain"), PLAY_DOMAIN);
    assert.match(used.searchParams.get("txSecret") ?? "", /^[0-9a-f]{32}$/);
    await page.getByRole("button", { name: "Close player" }).click();
  });
});

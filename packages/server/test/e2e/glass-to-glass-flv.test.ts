import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openBrowser } from "../helpers/browser.js";
import type { FfmpegPublisher } from "../helpers/ffmpeg-publisher.js";
import { openGlassToGlass } from "../helpers/glass-to-glass.js";
import { publishStamped } from "../helpers/stamped-publish.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

// Runs alone: it asserts glass-to-glass latency, which CPU contention moves.

/**
 * Glass-to-glass latency of HTTP-FLV in Debian's chromium, the harness's own check
 * (helpers/glass-to-glass.ts, docs/hls-latency-and-cost.md): ffmpeg publishes a 320x180 25 fps
 * picture stamped with its frame number (x264 zerolatency, AAC) to a real OnAir, mpegts.js plays
 * `/live/g2g.flv` as the dashboard does, and the page reads the number of every frame it shows.
 * Every frame shown must read (the stamp survives the whole path), the numbers must follow the
 * clock (currentTime advances as the window lasts) and the latency stays well under 2 s.
 */

const FPS = 25;
const STREAM = "g2g";
const SETTLE_MS = 3_000;
const WINDOW_MS = 4_000;
/** HTTP-FLV with mpegts.js's latency chasing: a GOP cache start, then a live edge well under 2 s. */
const FLV_TARGET_MS = 1_500;

describe("glass-to-glass latency, HTTP-FLV", { timeout: 40_000 }, () => {
  let t: TestOnAir;
  let publisher: FfmpegPublisher;
  let clockStarted = 0;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  before(async () => {
    t = await startTestOnAir({ rtmp: true });
    ({ publisher, clockStarted } = await publishStamped(t, STREAM, { seconds: 20, fps: FPS }));
    browser = await openBrowser({ width: 640, height: 360 });
  });

  after(async () => {
    publisher?.child.kill("SIGKILL");
    await browser?.close();
    await t?.stop();
  });

  test("mpegts.js shows every frame stamped, well under 2 s after ffmpeg captured it", async () => {
    const glass = await openGlassToGlass(browser.page, {
      origin: t.httpUrl,
      url: `${t.httpUrl}/live/${STREAM}.flv`,
      player: "flv",
      clockStarted,
      fps: FPS,
    });
    await glass.started();
    // The first seconds play the GOP cache and whatever buffered while the page loaded, until
    // mpegts.js's latency chasing jumps to the live edge: measured, not judged.
    const joining = await glass.measure(SETTLE_MS);
    const figures = await glass.measure(WINDOW_MS);
    console.log(`HTTP-FLV glass-to-glass, first ${SETTLE_MS} ms: ${JSON.stringify(joining)}`);
    console.log(`HTTP-FLV glass-to-glass, then ${WINDOW_MS} ms: ${JSON.stringify(figures)}`);
    assert.ok(figures.frames >= (WINDOW_MS / 1000) * FPS * 0.8, `${figures.frames} frames read`);
    assert.equal(figures.unreadable, 0, "a shown frame's stamp did not read");
    assert.ok(
      figures.currentTimeAdvance > (WINDOW_MS / 1000) * 0.8,
      `${figures.currentTimeAdvance}`,
    );
    assert.ok(figures.minMs > 0, `a frame shown before it was captured: ${figures.minMs} ms`);
    assert.ok(figures.p50Ms < FLV_TARGET_MS, `p50 ${figures.p50Ms} ms`);
  });
});

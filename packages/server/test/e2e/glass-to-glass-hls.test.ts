import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openBrowser } from "../helpers/browser.js";
import type { FfmpegPublisher } from "../helpers/ffmpeg-publisher.js";
import { type GlassToGlassFigures, openGlassToGlass } from "../helpers/glass-to-glass.js";
import { publishStamped } from "../helpers/stamped-publish.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

// Runs alone: it asserts glass-to-glass latency and that every frame shows, which CPU contention breaks.

/**
 * hls.js (from npm) in Debian's chromium plays OnAir's own HLS output of a real ffmpeg push
 * (docs/hls.md, docs/hls-latency-and-cost.md): LL-HLS with `lowLatencyMode`, then standard HLS
 * without it, from the multivariant playlist `/live/g2g.m3u8`. The picture carries its frame
 * number (helpers/frame-stamp.ts), so the page measures glass-to-glass latency, next to what
 * hls.js says of itself (`hls.latency`, its distance to the live edge) and what it has buffered.
 * currentTime must advance as the window lasts, every frame shown must read, and the latency
 * must meet the targets: LL-HLS under 2 s, standard HLS under 6 s. LL-HLS is asserted with a
 * margin (2.5 s): on a loaded 2-core machine hls.js may join half a second further behind and
 * take longer than the window to catch up; the figure printed says whether the 2 s target held.
 *
 * The node cuts 1 s segments (`playback.hls.segmentTargetMs: 1000`): a standard player stays
 * HOLD-BACK behind the live edge, and RFC 8216bis makes that at least three target durations, so
 * with the default 2 s segments no standard player can be under 6 s (measured: 6.8 s;
 * docs/hls-latency-and-cost.md). LL-HLS players hold back three parts, whatever the segments.
 */

const FPS = 25;
const STREAM = "g2g";
/** LL-HLS joins a little behind and catches up (hls.js plays up to 1.5× fast); standard HLS does not. */
const SETTLE_MS = { "ll-hls": 2_500, hls: 1_000 } as const;
const WINDOW_MS = 3_000;
const TARGET_MS = { "ll-hls": 2_000, hls: 6_000 } as const;
const ASSERTED_MS = { "ll-hls": 2_500, hls: 6_000 } as const;

describe("hls.js plays OnAir's LL-HLS and HLS", { timeout: 60_000 }, () => {
  let t: TestOnAir;
  let publisher: FfmpegPublisher;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let clockStarted = 0;

  before(async () => {
    t = await startTestOnAir({
      rtmp: true,
      flags: { playback: { hls: { segmentTargetMs: 1000 } } },
    });
    ({ publisher, clockStarted } = await publishStamped(t, STREAM, { seconds: 40, fps: FPS }));
    // The first request starts the stream's HLS output: by the time standard HLS is measured,
    // its window holds the segments a player starts from (HOLD-BACK behind the live edge).
    const first = await fetch(`${t.httpUrl}/live/${STREAM}.m3u8`);
    assert.equal(first.status, 200, await first.text());
    browser = await openBrowser({ width: 640, height: 360 });
  });

  after(async () => {
    publisher?.child.kill("SIGKILL");
    await browser?.close();
    await t?.stop();
  });

  for (const player of ["ll-hls", "hls"] as const) {
    test(`${player}: currentTime advances, every frame reads, glass-to-glass under ${ASSERTED_MS[player]} ms`, async () => {
      const glass = await openGlassToGlass(browser.page, {
        origin: t.httpUrl,
        url: `${t.httpUrl}/live/${STREAM}.m3u8`,
        player,
        clockStarted,
        fps: FPS,
      });
      await glass.started();
      const joining = await glass.measure(SETTLE_MS[player]);
      const figures: GlassToGlassFigures = await glass.measure(WINDOW_MS);
      console.log(
        `${player} glass-to-glass, first ${SETTLE_MS[player]} ms: ${JSON.stringify(joining)}`,
      );
      console.log(`${player} glass-to-glass, then ${WINDOW_MS} ms: ${JSON.stringify(figures)}`);
      assert.ok(figures.frames >= (WINDOW_MS / 1000) * FPS * 0.8, `${figures.frames} frames read`);
      assert.equal(figures.unreadable, 0, "a shown frame's stamp did not read");
      assert.ok(
        figures.currentTimeAdvance > (WINDOW_MS / 1000) * 0.8,
        `currentTime advanced ${figures.currentTimeAdvance} s`,
      );
      assert.ok(figures.minMs > 0, `a frame shown before it was captured: ${figures.minMs} ms`);
      assert.ok(figures.hlsLatency !== null && figures.hlsLatency > 0, `${figures.hlsLatency}`);
      console.log(
        `${player}: p50 ${Math.round(figures.p50Ms)} ms, target ${TARGET_MS[player]} ms ${figures.p50Ms < TARGET_MS[player] ? "met" : "missed"}`,
      );
      assert.ok(figures.p50Ms < ASSERTED_MS[player], `p50 ${figures.p50Ms} ms`);
    });
  }
});

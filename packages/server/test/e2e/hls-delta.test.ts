import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openBrowser } from "../helpers/browser.js";
import { readErrorBody } from "../helpers/error-body.js";
import type { FfmpegPublisher } from "../helpers/ffmpeg-publisher.js";
import { openGlassToGlass } from "../helpers/glass-to-glass.js";
import { findBoxes, readTraf } from "../helpers/mp4-boxes.js";
import { publishStamped } from "../helpers/stamped-publish.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

const STREAM = "delta";
const FPS = 25;

/** Where the video track's decode time starts in a segment, and where it ends. */
function videoSpan(segment: Buffer): { start: number; end: number } {
  const trafs = findBoxes(segment, "moof/traf")
    .map((b) => readTraf(b.body))
    .filter((traf) => traf.trackId === 1);
  const last = trafs.at(-1);
  assert.ok(trafs[0] && last, "a segment with video");
  const end = last.baseDecodeTime + last.entries.reduce((sum, e) => sum + e.duration, 0);
  return { start: trafs[0].baseDecodeTime, end };
}

/**
 * Playlist delta updates (docs/hls.md, RFC 8216bis §6.2.5.1) on a real ffmpeg push, with a
 * window of 12 one-second segments (CAN-SKIP-UNTIL=6.0): on loopback sockets a delta and a full
 * playlist answered for the same part line up (same header and media sequence, the delta's
 * segments the full one's tail, the first listed segment continuing the last skipped one's
 * decode time), v2 (not advertised) gets the full playlist, a bad `_HLS_skip` is a 400; hls.js in Debian's chromium, which asks for deltas
 * once CAN-SKIP-UNTIL is advertised, merges them and plays.
 */
describe("HLS playlist delta updates", { timeout: 60_000 }, () => {
  let t: TestOnAir;
  let publisher: FfmpegPublisher;
  let clockStarted = 0;
  let media: URL;

  before(async () => {
    t = await startTestOnAir({
      rtmp: true,
      flags: { playback: { hls: { segmentTargetMs: 1000, windowSegments: 12 } } },
    });
    ({ publisher, clockStarted } = await publishStamped(t, STREAM, { seconds: 40, fps: FPS }));
    const multivariant = `${t.httpUrl}/live/${STREAM}.m3u8`;
    const body = await (await fetch(multivariant)).text();
    const uri = body.split("\n").find((line) => line !== "" && !line.startsWith("#"));
    assert.ok(uri, body);
    media = new URL(uri, multivariant);
    // Nine complete segments: the oldest end more than 6 s before the live edge.
    await waitFor(
      "nine segments in the window",
      async () => ((await (await fetch(media)).text()).match(/#EXTINF/g)?.length ?? 0) >= 9,
      { timeoutMs: 20_000, intervalMs: 250 },
    );
  });
  after(async () => {
    publisher?.child.kill("SIGKILL");
    await t?.stop();
  });

  test("a delta and a full playlist for the same part: EXT-X-SKIP, the same media sequence, the full tail", async () => {
    const full = await (await fetch(media)).text();
    assert.match(full, /,CAN-SKIP-UNTIL=6\.0\n/);
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d+)\.m4s/.exec(full);
    assert.ok(hint, full);
    // Both held until the hinted part exists, so both describe the same window.
    const blocking = (skip: string | null) => {
      const url = new URL(media);
      url.searchParams.set("_HLS_msn", String(hint[1]));
      url.searchParams.set("_HLS_part", String(hint[2]));
      if (skip !== null) url.searchParams.set("_HLS_skip", skip);
      return url;
    };
    const [fullRes, deltaRes] = await Promise.all([fetch(blocking(null)), fetch(blocking("YES"))]);
    assert.equal(deltaRes.status, 200);
    const [fullText, delta] = [await fullRes.text(), await deltaRes.text()];
    const skipped = Number(/\n#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)\n/.exec(delta)?.[1]);
    assert.ok(skipped >= 2, delta);
    const sequence = /#EXT-X-MEDIA-SEQUENCE:(\d+)\n/.exec(fullText)?.[1];
    assert.ok(delta.includes(`#EXT-X-MEDIA-SEQUENCE:${sequence}\n`), delta);
    const fullLines = fullText.split("\n");
    const headerEnd = fullLines.findIndex((l) => l.startsWith("#EXT-X-MAP"));
    const dates = fullLines.flatMap((l, i) =>
      l.startsWith("#EXT-X-PROGRAM-DATE-TIME") ? [i] : [],
    );
    assert.deepEqual(delta.split("\n"), [
      ...fullLines.slice(0, headerEnd),
      `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`,
      fullLines[headerEnd],
      ...fullLines.slice(dates[skipped]),
    ]);
    // Every URI keeps the session token.
    const token = media.searchParams.get("t");
    for (const uri of delta.split("\n").filter((l) => l.startsWith("seg-"))) {
      assert.ok(uri.endsWith(`?t=${token}`), uri);
    }
    // The first listed segment's video starts where the last skipped one's ends.
    const segments = fullLines.filter((l) => l.startsWith("seg-"));
    const firstListed = delta.split("\n").find((l) => l.startsWith("seg-"));
    assert.equal(firstListed, segments[skipped]);
    assert.equal(firstListed, `seg-${Number(sequence) + skipped}.m4s?t=${token}`);
    const [lastSkipped, first] = await Promise.all(
      [segments[skipped - 1], firstListed].map(async (uri) =>
        Buffer.from(await (await fetch(new URL(uri as string, media))).arrayBuffer()),
      ),
    );
    assert.equal(videoSpan(first as Buffer).start, videoSpan(lastSkipped as Buffer).end);

    // v2 needs CAN-SKIP-DATERANGES, which OnAir does not advertise: ignored, the full playlist.
    assert.doesNotMatch(await (await fetch(blocking("v2"))).text(), /#EXT-X-SKIP/);
    for (const bad of ["NO", "yes", ""]) {
      const res = await fetch(blocking(bad));
      assert.equal(res.status, 400, bad);
      assert.equal((await readErrorBody(res)).code, "ONAIR_ERR_INVALID_PARAMETER_VALUE");
    }
  });

  test("hls.js in chromium asks for deltas, merges them and plays", async () => {
    const browser = await openBrowser({ width: 640, height: 360 });
    try {
      const deltas: string[] = [];
      browser.page.on("request", (req) => {
        if (req.url().includes("_HLS_skip=YES")) deltas.push(req.url());
      });
      const glass = await openGlassToGlass(browser.page, {
        origin: t.httpUrl,
        url: `${t.httpUrl}/live/${STREAM}.m3u8`,
        player: "ll-hls",
        clockStarted,
        fps: FPS,
      });
      await glass.started();
      const figures = await glass.measure(3_000);
      assert.ok(
        figures.currentTimeAdvance > 2.4,
        `currentTime advanced ${figures.currentTimeAdvance} s`,
      );
      assert.equal(figures.unreadable, 0, "a shown frame's stamp did not read");
      assert.ok(deltas.length >= 3, `${deltas.length} delta requests`);
      const details = await browser.page.evaluate(() => {
        const hls = window.hls as unknown as {
          levels: { details?: { skippedSegments: number; deltaUpdateFailed?: boolean } }[];
        };
        const level = hls.levels[0]?.details;
        return level ? { skipped: level.skippedSegments, failed: level.deltaUpdateFailed } : null;
      });
      assert.ok(details && details.skipped > 0 && details.failed !== true, JSON.stringify(details));
    } finally {
      await browser.close();
    }
  });
});

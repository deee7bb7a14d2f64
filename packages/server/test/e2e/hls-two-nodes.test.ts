import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type IngestNodeProcess, spawnIngestNode } from "../helpers/ingest-node-process.js";
import { largestGap, probeLive } from "../helpers/live-player.js";
import { dropSchemas, schemaUrl, uniqueSchema } from "../helpers/test-database.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

/** A metric's value on a node's /metrics, 0 when the series is absent. */
async function metric(httpPort: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * HLS on a node without the publish (docs/hls.md, "Several nodes"): ffmpeg pushes to node A (its
 * own process); node B, on the same PostgreSQL, segments the stream from its internal pull of A
 * and ffprobe reads B's playlist. The pull stops once B's HLS output idles out.
 */
describe("HLS on two nodes sharing PostgreSQL", { timeout: 60_000 }, () => {
  const schema = uniqueSchema("onair_hls2");
  const dir = mkdtempSync(join(tmpdir(), "onair-hls2-"));
  let a: IngestNodeProcess;
  let b: TestOnAir;
  let publisher: FfmpegPublisher;

  before(async () => {
    a = await spawnIngestNode({
      NODE_ID: "hls-a",
      NODE_DATABASE_URL: schemaUrl(schema),
      NODE_DATA_DIR: dir,
    });
    b = await startTestOnAir({
      flags: {
        databaseUrl: schemaUrl(schema),
        nodeId: "hls-b",
        cluster: { pullLingerMs: 500 },
        playback: { hls: { idleMs: 1000 } },
      },
    });
    publisher = publishWithFfmpeg(`rtmp://127.0.0.1:${a.rtmpPort}/live/cam2`, { seconds: 8 });
    await waitFor(
      "cam2 live",
      async () => (await b.onair.store.streams.list({ streamName: "cam2" })).length === 1,
    );
  });
  after(async () => {
    publisher?.child.kill("SIGKILL");
    a?.child.kill("SIGKILL");
    await b?.stop();
    await dropSchemas(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  test("B serves the playlist from one internal pull of A; the pull stops after the output idles", async () => {
    const res = await fetch(`${b.httpUrl}/live/cam2.m3u8`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2",RESOLUTION=640x360/);
    assert.equal(
      await metric(b.onair.httpPort, 'onair_play_upstream_pulls{stream="live/cam2"}'),
      1,
    );
    assert.equal(await metric(a.httpPort, 'onair_play_relays_serving{stream="live/cam2"}'), 1);
    assert.equal(await metric(b.onair.httpPort, "onair_play_upstream_pulls_started_total"), 1);
    const probe = await probeLive(`${b.httpUrl}/live/cam2.m3u8`, 2);
    const video = probe.streams.find((s) => s.codec_type === "video");
    assert.equal(video?.codec_name, "h264");
    assert.deepEqual([video?.width, video?.height], [640, 360]);
    assert.ok(largestGap(probe.packets, "video").gap <= 0.061);
    // ffprobe's own session joined the same output and pull.
    assert.equal(await metric(b.onair.httpPort, "onair_play_upstream_pulls_started_total"), 1);
    // No request for idleMs: B drops its output, and the pull ends after its linger.
    await waitFor(
      "the pull stopped",
      async () =>
        (await metric(b.onair.httpPort, 'onair_play_upstream_pulls{stream="live/cam2"}')) === 0,
      { timeoutMs: 10_000 },
    );
  });
});

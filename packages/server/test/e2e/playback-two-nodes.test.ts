import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { RELAY_HEADER, signRelayCredential } from "../../src/playback/relay-credential.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type IngestNodeProcess, spawnIngestNode } from "../helpers/ingest-node-process.js";
import {
  type FfmpegViewer,
  largestGap,
  probeLive,
  watchWithFfmpeg,
} from "../helpers/live-player.js";
import { dropSchemas, schemaUrl, uniqueSchema } from "../helpers/test-database.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

/** A metric's value on a node's /metrics, 0 when the series is absent. */
async function metric(httpPort: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Resolves with the viewer's exit, or null (and kills it) after `ms`. */
async function exitWithin(viewer: FfmpegViewer, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    viewer.exited,
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!exit) viewer.child.kill("SIGKILL");
  return exit;
}

/**
 * Two OnAir nodes on one PostgreSQL (docs/playback.md, "Several nodes"): node A (its own
 * process, so it can be killed with -9) holds an ffmpeg push; ffprobe and ffmpeg play it from
 * node B over RTMP and HTTP-FLV, through one internal pull of B's however many viewers.
 */
describe("playback on two nodes sharing PostgreSQL", { timeout: 60_000 }, () => {
  const schema = uniqueSchema("onair_play2");
  const dir = mkdtempSync(join(tmpdir(), "onair-pa-"));
  let a: IngestNodeProcess;
  let b: TestOnAir;
  let publisher: FfmpegPublisher;
  const onB = (path: string) => ({ rtmp: b.rtmpUrl(path), flv: `${b.httpUrl}/${path}.flv` });
  const pulls = (stream: string) =>
    metric(b.onair.httpPort, `onair_play_upstream_pulls{stream="${stream}"}`);
  const relays = (stream: string) =>
    metric(a.httpPort, `onair_play_relays_serving{stream="${stream}"}`);
  const live = (stream: string) =>
    waitFor(
      `${stream} live`,
      async () => (await b.onair.store.streams.list({ streamName: stream })).length === 1,
    );

  before(async () => {
    a = await spawnIngestNode({
      NODE_ID: "play-a",
      NODE_DATABASE_URL: schemaUrl(schema),
      NODE_DATA_DIR: dir,
    });
    b = await startTestOnAir({
      rtmp: true,
      flags: {
        databaseUrl: schemaUrl(schema),
        nodeId: "play-b",
        ingest: { nodeHeartbeatMs: 200, nodeStaleMs: 1500, commandPollMs: 100 },
        cluster: { pullLingerMs: 1500 },
      },
    });
    publisher = publishWithFfmpeg(`rtmp://127.0.0.1:${a.rtmpPort}/live/cam1`);
    await live("cam1");
  });
  after(async () => {
    publisher?.child.kill("SIGKILL");
    a?.child.kill("SIGKILL");
    await b?.stop();
    await dropSchemas(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  test("five viewers on B over RTMP and HTTP-FLV: h264 640x360 + aac, continuous, one pull of A", async () => {
    const urls = onB("live/cam1");
    const watchers = [
      watchWithFfmpeg(urls.rtmp),
      watchWithFfmpeg(urls.flv),
      watchWithFfmpeg(urls.flv),
    ];
    try {
      const probes = [probeLive(urls.rtmp, 3), probeLive(urls.flv, 3)];
      await waitFor("five viewers on B", async () => {
        const viewers = await metric(
          b.onair.httpPort,
          'onair_play_stream_viewers{stream="live/cam1"}',
        );
        return viewers === 5;
      });
      assert.equal(await pulls("live/cam1"), 1, "B runs one pull");
      assert.equal(await relays("live/cam1"), 1, "A serves one pull");
      assert.equal(await metric(a.httpPort, "onair_play_relays_accepted_total"), 1);
      assert.equal(await metric(b.onair.httpPort, "onair_play_upstream_pulls_started_total"), 1);
      assert.equal(
        await metric(a.httpPort, 'onair_play_stream_viewers{stream="live/cam1"}'),
        0,
        "the pull is not a viewer of A",
      );
      for (const probe of await Promise.all(probes)) {
        const video = probe.streams.find((s) => s.codec_type === "video");
        assert.equal(video?.codec_name, "h264");
        assert.equal(video?.width, 640);
        assert.equal(video?.height, 360);
        assert.equal(probe.streams.find((s) => s.codec_type === "audio")?.codec_name, "aac");
        assert.match(probe.packets.find((p) => p.codec_type === "video")?.flags ?? "", /K/);
        const v = largestGap(probe.packets, "video");
        const au = largestGap(probe.packets, "audio");
        assert.ok(v.count >= 60, `${v.count} video packets in 3 s`);
        assert.ok(au.count >= 100, `${au.count} audio packets in 3 s`);
        assert.ok(v.gap <= 0.08, `video gap ${v.gap} s (25 fps: 0.04)`);
        assert.ok(au.gap <= 0.1, `audio gap ${au.gap} s`);
        assert.ok(v.first < 0.5, `the viewer's timeline starts near 0 (${v.first})`);
      }
    } finally {
      for (const watcher of watchers) watcher.child.kill("SIGKILL");
    }
    // The last viewer gone, the pull lingers (1.5 s here), then stops on both sides.
    await waitFor("B's pull stopped", async () => (await pulls("live/cam1")) === 0);
    await waitFor("A's relay ended", async () => (await relays("live/cam1")) === 0);
  });

  test("a viewer back within the linger reuses the pull; a new one after it starts another", async () => {
    const started = () => metric(b.onair.httpPort, "onair_play_upstream_pulls_started_total");
    const before = await started();
    await probeLive(onB("live/cam1").flv, 1);
    await probeLive(onB("live/cam1").rtmp, 1);
    assert.equal(await started(), before + 1, "one pull for both, the second within the linger");
    await waitFor("the pull stopped", async () => (await pulls("live/cam1")) === 0);
  });

  test("not live anywhere: 404 on B; a pull is never pulled on (B holds nothing: 404, no pull)", async () => {
    const res = await fetch(`${b.httpUrl}/live/nobody.flv`);
    assert.equal(res.status, 404);
    assert.equal(
      ((await res.json()) as { error: { code: string } }).error.code,
      "ONAIR_ERR_STREAM_NOT_LIVE",
    );
    // A relay credential that B itself accepts, for a stream B only ever pulls.
    const node = await b.onair.store.streams.node("play-b");
    assert.ok(node?.relayKey && node.httpAddress === `127.0.0.1:${b.onair.httpPort}`);
    const credential = signRelayCredential({
      key: node.relayKey,
      puller: "play-a",
      stream: "live/cam1",
      nowMs: Date.now(),
    });
    const relay = await fetch(`${b.httpUrl}/live/cam1.flv`, {
      headers: { [RELAY_HEADER]: credential },
    });
    assert.equal(relay.status, 404);
    await relay.body?.cancel();
    assert.equal(await pulls("live/cam1"), 0, "the relay request started no pull of its own");
  });

  test("a bad relay credential is refused by the holder (403)", async () => {
    const res = await fetch(`http://127.0.0.1:${a.httpPort}/live/cam1.flv`, {
      headers: { [RELAY_HEADER]: "cGxheS1i.1.00" },
    });
    assert.equal(res.status, 403);
    assert.equal(
      ((await res.json()) as { error: { code: string } }).error.code,
      "ONAIR_ERR_PLAY_REFUSED",
    );
  });

  test("the publisher stops: B's viewers over RTMP and HTTP-FLV exit cleanly (code 0)", async () => {
    const short = publishWithFfmpeg(`rtmp://127.0.0.1:${a.rtmpPort}/live/short`, { seconds: 5 });
    await live("short");
    const urls = onB("live/short");
    const viewers = [watchWithFfmpeg(urls.rtmp), watchWithFfmpeg(urls.flv)];
    await waitFor("B pulls short", async () => (await pulls("live/short")) === 1);
    assert.equal((await short.exited).code, 0);
    for (const viewer of viewers) {
      const exit = await exitWithin(viewer, 10_000);
      assert.ok(exit, "the viewer exited after the publish ended");
      assert.equal(exit.code, 0, exit.stderr);
    }
    assert.equal(await pulls("live/short"), 0);
  });

  test("node A killed with -9: B's viewers end (HTTP-FLV response ends, RTMP EOF)", async () => {
    const urls = onB("live/cam1");
    const viewers = [watchWithFfmpeg(urls.rtmp), watchWithFfmpeg(urls.flv)];
    await waitFor("B pulls cam1", async () => (await pulls("live/cam1")) === 1);
    await waitFor(
      "two viewers on B",
      async () =>
        (await metric(b.onair.httpPort, 'onair_play_stream_viewers{stream="live/cam1"}')) === 2,
    );
    a.child.kill("SIGKILL");
    for (const viewer of viewers) {
      const exit = await exitWithin(viewer, 10_000);
      assert.ok(exit, "the viewer exited after the holder died");
      assert.equal(exit.code, 0, exit.stderr);
    }
    assert.equal(await pulls("live/cam1"), 0);
  });
});

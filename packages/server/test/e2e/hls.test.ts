import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import { readErrorBody } from "../helpers/error-body.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { largestGap, type ProbeResult, probeLive } from "../helpers/live-player.js";
import { findBoxes, readBoxes } from "../helpers/mp4-boxes.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

const PLAY_DOMAIN = "play.example.com";
const PLAY_KEY = "PlayMainKey0123456789";

/** The media playlist URI of a multivariant playlist, resolved against its URL. */
function mediaUrl(multivariantUrl: string, body: string): URL {
  const uri = body.split("\n").find((line) => line !== "" && !line.startsWith("#"));
  assert.ok(uri, body);
  return new URL(uri, multivariantUrl);
}

/** (msn, index) of the EXT-X-PRELOAD-HINT part of a media playlist. */
function preloadHint(playlist: string): { msn: number; index: number } {
  const match = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d+)\.m4s/.exec(playlist);
  assert.ok(match, playlist);
  return { msn: Number(match[1]), index: Number(match[2]) };
}

/**
 * HLS and LL-HLS (docs/hls.md) on a real ffmpeg push (H.264 + AAC), read by ffprobe and by
 * plain HTTP requests on loopback sockets: the playlist's codecs and picture, continuous
 * timestamps, blocking reload and preload hints, play auth and tokens, the viewer count, and
 * the end of the stream.
 */
describe("HLS and LL-HLS output", { timeout: 60_000 }, () => {
  let t: TestOnAir;
  let publisher: FfmpegPublisher;
  let probe: Promise<ProbeResult>;
  /** A media playlist URL taken while the stream was live, for the end. */
  let liveMedia: URL;

  before(async () => {
    t = await startTestOnAir({
      rtmp: true,
      flags: { playback: { statsIntervalMs: 1000, hls: { segmentTargetMs: 1000 } } },
    });
    await t.sdk.AddLiveDomain({ DomainName: PLAY_DOMAIN, DomainType: 1 });
    await t.sdk.ModifyLivePlayAuthKey({ DomainName: PLAY_DOMAIN, Enable: 1, AuthKey: PLAY_KEY });
    publisher = publishWithFfmpeg(t.rtmpUrl("live/x"), { seconds: 6 });
    await waitFor(
      "x live",
      async () => (await t.onair.store.streams.list({ streamName: "x" })).length === 1,
    );
    // ffprobe reads the live playlist while the other checks run.
    probe = probeLive(`${t.httpUrl}/live/x.m3u8`, 3);
  });
  after(async () => {
    publisher.child.kill("SIGKILL");
    await publisher.exited;
    await t.stop();
  });

  test("blocking reload: a future part is held, then answered with it; the hinted part too", async () => {
    const multivariant = `${t.httpUrl}/live/x.m3u8`;
    const media = mediaUrl(multivariant, await (await fetch(multivariant)).text());
    liveMedia = media;
    const first = await fetch(media);
    assert.equal(first.headers.get("cache-control"), "no-cache");
    const playlist = await first.text();
    assert.match(
      playlist,
      /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0\.999,HOLD-BACK=3\.0\n/,
    );
    const hint = preloadHint(playlist);
    const tooFar = new URL(media);
    // Five past the hint: more than two past the live segment even if one was cut meanwhile.
    tooFar.searchParams.set("_HLS_msn", String(hint.msn + 5));
    const refused = await fetch(tooFar);
    assert.equal(refused.status, 400);
    assert.equal((await readErrorBody(refused)).code, "ONAIR_ERR_INVALID_PARAMETER_VALUE");
    // Two parts past the newest: at least one part duration away.
    const wanted = { msn: hint.msn, index: hint.index + 1 };
    const blocking = new URL(media);
    blocking.searchParams.set("_HLS_msn", String(wanted.msn));
    blocking.searchParams.set("_HLS_part", String(wanted.index));
    const hinted = new URL(`part-${hint.msn}.${hint.index}.m4s${media.search}`, media);
    const started = Date.now();
    const [held, part] = await Promise.all([fetch(blocking), fetch(hinted)]);
    const heldMs = Date.now() - started;
    assert.equal(held.status, 200);
    const answer = await held.text();
    assert.ok(heldMs >= 150 && heldMs < 3000, `held ${heldMs} ms`);
    assert.ok(
      answer.includes(`part-${wanted.msn}.${wanted.index}.m4s`) ||
        answer.includes(`part-${wanted.msn + 1}.0.m4s`),
      answer,
    );
    assert.match(held.headers.get("cache-control") ?? "", /^max-age=1$/);
    // The preload-hinted part, asked for before it existed: one complete fragment.
    assert.equal(part.status, 200);
    assert.equal(part.headers.get("cache-control"), "public, max-age=3600, immutable");
    const bytes = Buffer.from(await part.arrayBuffer());
    assert.deepEqual(
      readBoxes(bytes).map((b) => b.type),
      ["moof", "mdat"],
    );
    assert.ok(findBoxes(bytes, "moof/traf").length >= 1);
    assert.ok(answer.includes(`part-${hint.msn}.${hint.index}.m4s`) || hint.index === 0);
    const again = Buffer.from(await (await fetch(hinted)).arrayBuffer());
    assert.deepEqual(again, bytes, "a part never changes");
  });

  test("viewers: HLS sessions counted next to the other protocols (metrics, DescribeAllStreamPlayInfoList)", async () => {
    // A new session (each multivariant request is one) is a viewer at once.
    assert.equal((await fetch(`${t.httpUrl}/live/x.m3u8`)).status, 200);
    const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
    const viewers = Number(
      /onair_play_stream_viewers\{stream="live\/x"\} (\d+)/.exec(metrics)?.[1],
    );
    assert.ok(viewers >= 1, metrics);
    const requests = Number(
      /onair_play_stream_requests_total\{stream="live\/x"\} (\d+)/.exec(metrics)?.[1],
    );
    // ffprobe's, the blocking test's and this one.
    assert.ok(requests >= 3, `${requests} requests`);
    const held = Number(/onair_hls_output_bytes\{stream="live\/x"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(held > 10_000 && held <= 32 * 1024 * 1024, `${held} bytes held`);
    assert.ok(Number(/onair_hls_sessions (\d+)/.exec(metrics)?.[1]) >= 1);
    // The play-info actions read the nodes' samples in the store (written every second here).
    const row = await waitFor("the HLS row of DescribeAllStreamPlayInfoList", async () => {
      const all = await t.sdk.DescribeAllStreamPlayInfoList({
        QueryTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      });
      return all.DataInfoList?.find((r) => r.StreamName === "x" && r.Protocol === "Hls") ?? null;
    });
    assert.equal(row?.PlayDomain, "127.0.0.1");
    assert.ok((row?.Request ?? 0) >= 1 && (row?.Online ?? 0) >= 1, JSON.stringify(row));
  });

  test("auth: no txSecret on an auth domain 403, signed 200; forged or other-stream token 403", async () => {
    const unsigned = await fetch(`${t.httpUrl}/live/x.m3u8?domain=${PLAY_DOMAIN}`);
    assert.equal(unsigned.status, 403);
    assert.equal((await readErrorBody(unsigned)).code, "ONAIR_ERR_PLAY_REFUSED");
    const { txSecret, txTime } = signPushUrl({
      key: PLAY_KEY,
      streamName: "x",
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    const signedUrl = `${t.httpUrl}/live/x.m3u8?txSecret=${txSecret}&txTime=${txTime}&domain=${PLAY_DOMAIN}`;
    const signed = await fetch(signedUrl);
    assert.equal(signed.status, 200);
    const media = mediaUrl(signedUrl, await signed.text());
    const good = await fetch(media);
    assert.equal(good.status, 200);
    const init = /URI="(init-\d+\.mp4\?t=[^"]+)"/.exec(await good.text())?.[1];
    assert.ok(init);
    assert.equal((await fetch(new URL(init, media))).status, 200);

    const token = media.searchParams.get("t") ?? "";
    const forged = `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    for (const bad of [forged, "", "a.b.c.d", token.split(".").slice(0, 3).join(".")]) {
      const url: URL = new URL(init, media);
      url.searchParams.set("t", bad);
      const res: Response = await fetch(url);
      assert.equal(res.status, 403, bad);
      assert.equal((await readErrorBody(res)).code, "ONAIR_ERR_PLAY_REFUSED");
    }
    // The same token on another stream's media playlist.
    const other = await fetch(`${t.httpUrl}/live/y/index.m3u8?t=${token}`);
    assert.equal(other.status, 403);
  });

  test("a blocking reload whose segment does not come (the publisher paused) is a 503 after three target durations", async () => {
    const media = liveMedia;
    const hint = preloadHint(await (await fetch(media)).text());
    const blocking = new URL(media);
    blocking.searchParams.set("_HLS_msn", String(hint.msn + 1));
    publisher.child.kill("SIGSTOP");
    try {
      const started = Date.now();
      const res = await fetch(blocking);
      const heldMs = Date.now() - started;
      assert.equal(res.status, 503);
      assert.equal((await readErrorBody(res)).code, "ONAIR_ERR_HLS_TIMEOUT");
      // Three target durations of 1 s.
      assert.ok(heldMs >= 2900 && heldMs < 5000, `held ${heldMs} ms`);
    } finally {
      publisher.child.kill("SIGCONT");
    }
  });

  test("ffprobe: h264 640x360 + aac from the multivariant playlist, timestamps continuous", async () => {
    const res = await fetch(`${t.httpUrl}/live/x.m3u8`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/vnd.apple.mpegurl");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const body = await res.text();
    assert.match(
      body,
      /#EXT-X-STREAM-INF:BANDWIDTH=\d+,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2",RESOLUTION=640x360\n/,
    );
    assert.match(body, /\nx\/index\.m3u8\?t=[\w.-]+\n/);

    const result = await probe;
    const video = result.streams.find((s) => s.codec_type === "video");
    assert.equal(video?.codec_name, "h264");
    assert.deepEqual([video?.width, video?.height], [640, 360]);
    assert.equal(result.streams.find((s) => s.codec_type === "audio")?.codec_name, "aac");
    assert.ok(result.streams.length === 2, JSON.stringify(result.streams));
    const pts = result.packets.filter((p) => p.codec_type === "video").map((p) => p.pts_time);
    assert.ok(pts.length >= 50, `${pts.length} video packets`);
    assert.ok(
      pts.every((v, i) => i === 0 || v > (pts[i - 1] as number)),
      "video pts increase",
    );
    // 25 fps: no gap over about one frame, across segment and part boundaries.
    assert.ok(
      largestGap(result.packets, "video").gap <= 0.061,
      JSON.stringify(largestGap(result.packets, "video")),
    );
    assert.ok(
      largestGap(result.packets, "audio").gap <= 0.05,
      JSON.stringify(largestGap(result.packets, "audio")),
    );
  });

  test("the end: EXT-X-ENDLIST, then 404 once the output is dropped, sessions over", async () => {
    const media = liveMedia;
    await publisher.exited;
    const ended = await waitFor("EXT-X-ENDLIST", async () => {
      const text = await (await fetch(media)).text();
      return text.includes("#EXT-X-ENDLIST") ? text : null;
    });
    assert.ok(!ended.includes("PRELOAD-HINT"));
    const segment = /\n(seg-\d+\.m4s\?t=[^\n]+)\n/.exec(ended)?.[1];
    assert.ok(segment);
    await waitFor(
      "the output dropped",
      async () => (await fetch(new URL(segment, media))).status === 404,
      {
        timeoutMs: 10_000,
      },
    );
    const gone = await fetch(media);
    assert.equal(gone.status, 404);
    assert.equal((await readErrorBody(gone)).code, "ONAIR_ERR_STREAM_NOT_LIVE");
    // The publish's end ended every session.
    const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
    assert.ok(metrics.includes('onair_play_stream_viewers{stream="live/x"} 0'));
  });
});

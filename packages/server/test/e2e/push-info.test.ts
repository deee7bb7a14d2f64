import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { hdFixture, replayAtNativeRate } from "../helpers/hd-fixture.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

/**
 * The push-info actions through the official SDK while a real encoder pushes: a 2.5 Mbit/s
 * 720p30 H.264 + 128 kbit/s AAC 48 kHz file replayed by `ffmpeg -re -c copy`. The figures must be
 * what was sent (bitrates within ±25 %), and the per-stream gauges of /metrics must follow the
 * publish: present while it is live, gone once it ended.
 */
const SECONDS = 12;
const STREAM = "pushinfo720";

function within(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= expected * tolerance,
    `${what}: ${actual}, expected ${expected} ± ${tolerance * 100} %`,
  );
}

async function metricsText(h: IngestHarness): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${h.onair.httpPort}/metrics`);
  return res.text();
}

describe("DescribeLiveStreamPushInfoList / DescribeStreamPushInfoList (real ffmpeg push)", {
  timeout: 90_000,
}, () => {
  let h: IngestHarness;
  let file: string;
  before(async () => {
    file = await hdFixture({ mbps: 2.5, seconds: SECONDS, size: "1280x720" });
    h = await startIngestHarness({}, { monitoring: { historySampleMs: 1000 } });
  });
  after(async () => {
    await h.stop();
  });

  test("the live figures, the samples and the gauges are what the encoder sent", async (t) => {
    const startedAt = new Date();
    const replay = replayAtNativeRate(file, h.rtmpUrl(`live/${STREAM}`));
    await h.events(STREAM, 1);
    // Past the 5 s rate window, so the rates cover a whole window of steady sending.
    await new Promise((resolve) => setTimeout(resolve, 7000));

    const list = await h.sdk.DescribeLiveStreamPushInfoList({ PushDomain: TEST_DOMAIN });
    assert.equal(list.TotalNum, 1);
    assert.equal(list.PageNum, 1);
    assert.equal(list.PageSize, 200);
    const info = list.DataInfoList?.[0];
    assert.ok(info, "the live stream is listed");
    t.diagnostic(`measured: ${JSON.stringify(info)}`);
    assert.equal(info.StreamName, STREAM);
    assert.equal(info.AppName, "live");
    assert.equal(info.PushDomain, TEST_DOMAIN);
    assert.equal(info.ClientIp, "127.0.0.1");
    assert.equal(info.ServerIp, "127.0.0.1");
    assert.equal(info.Vcodec, "H264");
    assert.equal(info.Acodec, "AAC");
    assert.equal(info.Resolution, "1280*720");
    assert.equal(info.AsampleRate, 48000);
    within(info.VideoSpeed, 2_500_000, 0.25, "VideoSpeed (bps)");
    within(info.AudioSpeed, 128_000, 0.25, "AudioSpeed (bps)");
    within(info.VideoFps, 30, 0.1, "VideoFps");
    // AAC at 48 kHz: 1024 samples a frame, 46.9 frames a second.
    within(info.AudioFps, 47, 0.1, "AudioFps");
    within(info.MetaVideoSpeed, 2_500_000, 0.25, "MetaVideoSpeed (bps)");
    assert.equal(info.MetaFps, 30);
    assert.match(info.BeginPushTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);

    const other = await h.sdk.DescribeLiveStreamPushInfoList({ PushDomain: "other.example.com" });
    assert.equal(other.TotalNum, 0);
    assert.deepEqual(other.DataInfoList, []);

    const metrics = await metricsText(h);
    const series = `{domain="${TEST_DOMAIN}",app="live",stream="${STREAM}"}`;
    const gauge = metrics.match(
      new RegExp(`^onair_push_video_bitrate_bps${series.replace(/[{}]/g, "\\$&")} (\\d+)`, "m"),
    );
    assert.ok(gauge, "the video bitrate gauge of the live stream is exported");
    within(Number(gauge[1]), 2_500_000, 0.25, "onair_push_video_bitrate_bps");
    assert.ok(metrics.includes(`onair_push_video_fps${series}`));

    const result = await replay;
    assert.equal(result.code, 0, result.stderr);
    await h.events(STREAM, 0);

    const samples = await h.sdk.DescribeStreamPushInfoList({
      StreamName: STREAM,
      StartTime: `${startedAt.toISOString().slice(0, 19)}Z`,
      EndTime: `${new Date(Date.now() + 1000).toISOString().slice(0, 19)}Z`,
    });
    const data = samples.DataInfoList ?? [];
    assert.ok(data.length >= 5, `one sample a second (historySampleMs 1000): ${data.length}`);
    const steady = data.filter((d) => (d.LocalTs ?? 0) >= 6000);
    assert.ok(steady.length > 0, "samples past the first rate window");
    for (const d of steady) {
      assert.equal(d.VCodec, "H264");
      assert.equal(d.ACodec, "AAC");
      assert.equal(d.Resolution, "1280*720");
      assert.equal(d.ClientIp, "127.0.0.1");
      assert.equal(d.PushDomain, TEST_DOMAIN);
      assert.match(d.Time ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      within(d.VideoRate ?? 0, 2_500_000, 0.25, "VideoRate");
      within(d.VideoFps ?? 0, 30, 0.1, "VideoFps");
      assert.equal(d.MateFps, 30);
      // Media time keeps up with wall-clock time for a real-time push.
      within(d.VideoTs ?? 0, d.LocalTs ?? 0, 0.2, "VideoTs against LocalTs");
    }
    // Each sample's Flux is the traffic since the previous one: together, the file's media.
    const flux = data.reduce((sum, d) => sum + (d.Flux ?? 0) * 1_000_000, 0);
    within(flux, statSync(file).size, 0.05, "the Flux of all samples against the file (bytes)");
    const sequences = new Set(data.map((d) => d.Sequence));
    assert.equal(sequences.size, 1, "one publish");

    // The ended stream's series left the gauges.
    assert.ok(!(await metricsText(h)).includes(`stream="${STREAM}"`));
    const gone = await h.sdk.DescribeLiveStreamPushInfoList({});
    assert.equal(gone.TotalNum, 0);
  });

  test("a time range over 3 hours or ending before it starts is refused", async () => {
    await assert.rejects(
      h.sdk.DescribeStreamPushInfoList({
        StreamName: STREAM,
        StartTime: "2026-01-01T00:00:00Z",
        EndTime: "2026-01-01T03:00:01Z",
      }),
      (err: { code?: string }) => err.code === "InvalidParameterValue",
    );
    await assert.rejects(
      h.sdk.DescribeStreamPushInfoList({
        StreamName: STREAM,
        StartTime: "2026-01-01T01:00:00Z",
        EndTime: "2026-01-01T00:00:00Z",
      }),
      (err: { code?: string }) => err.code === "InvalidParameterValue",
    );
  });
});

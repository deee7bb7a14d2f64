import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { formatUtcTime } from "../../src/api/tencent-time.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { largestGap, probeLive, watchWithFfmpeg } from "../helpers/live-player.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * Playback with real clients: ffmpeg pushes (libx264 640x360 at 25 fps, one keyframe a second,
 * AAC), ffprobe and ffmpeg watch over RTMP and HTTP-FLV (docs/playback.md).
 */
describe("playback: RTMP play and HTTP-FLV from a live ffmpeg push", () => {
  let t: TestOnAir;
  let publisher: FfmpegPublisher;
  before(async () => {
    // Viewer statistics reach the store every second instead of every minute.
    t = await startTestOnAir({ rtmp: true, flags: { playback: { statsIntervalMs: 1000 } } });
    publisher = publishWithFfmpeg(t.rtmpUrl("live/cam1"));
    await waitFor(
      "cam1 live",
      async () => (await t.onair.store.streams.list({ streamName: "cam1" })).length === 1,
    );
  });
  after(async () => {
    publisher.child.kill("SIGKILL");
    await publisher.exited;
    await t.stop();
  });

  for (const protocol of ["rtmp", "flv"] as const) {
    test(`${protocol}: h264 640x360 and aac, from a keyframe, timestamps continuous over 3 s`, async () => {
      const url = protocol === "rtmp" ? t.rtmpUrl("live/cam1") : `${t.httpUrl}/live/cam1.flv`;
      const probe = await probeLive(url, 3);
      const video = probe.streams.find((s) => s.codec_type === "video");
      const audio = probe.streams.find((s) => s.codec_type === "audio");
      assert.equal(video?.codec_name, "h264");
      assert.equal(video?.width, 640);
      assert.equal(video?.height, 360);
      assert.equal(audio?.codec_name, "aac");
      const firstVideo = probe.packets.find((p) => p.codec_type === "video");
      assert.match(firstVideo?.flags ?? "", /K/, "the first video packet is a keyframe");
      const v = largestGap(probe.packets, "video");
      const a = largestGap(probe.packets, "audio");
      assert.ok(v.count >= 60, `${v.count} video packets in 3 s`);
      assert.ok(a.count >= 100, `${a.count} audio packets in 3 s`);
      assert.ok(v.gap <= 0.08, `video gap ${v.gap} s (25 fps: 0.04)`);
      assert.ok(a.gap <= 0.1, `audio gap ${a.gap} s (AAC at 44.1 kHz: 0.023)`);
      assert.ok(v.first < 0.5, `the viewer's timeline starts near 0 (${v.first})`);
    });
  }

  test("a stream that is not live: 404 with the ONAIR_ERR body, NetStream.Play.StreamNotFound", async () => {
    const res = await fetch(`${t.httpUrl}/live/nobody.flv`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const body = (await res.json()) as { error: { code: string } };
    assert.equal(body.error.code, "ONAIR_ERR_STREAM_NOT_LIVE");
    await assert.rejects(probeLive(t.rtmpUrl("live/nobody"), 1), /nobody is not live/);
  });

  test("HTTP-FLV: FLV header, chunked, CORS open to browser players", async () => {
    const res = await fetch(`${t.httpUrl}/live/cam1.flv`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "video/x-flv");
    assert.equal(res.headers.get("transfer-encoding"), "chunked");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const reader = res.body?.getReader();
    assert.ok(reader);
    const first = await reader.read();
    await reader.cancel();
    assert.equal(Buffer.from(first.value ?? []).toString("latin1", 0, 3), "FLV");
  });

  test("DescribeStreamPlayInfoList / DescribeAllStreamPlayInfoList: the minutes just watched", async () => {
    const viewer = watchWithFfmpeg(t.rtmpUrl("live/cam1"));
    try {
      await waitFor("the viewer counted", async () =>
        (await (await fetch(`${t.httpUrl}/metrics`)).text()).includes(
          'onair_play_stream_viewers{stream="live/cam1"} 1',
        ),
      );
      const now = Date.now();
      const minutes = await waitFor("this viewer and the probes in the store", async () => {
        const { DataInfoList: list = [] } = await t.sdk.DescribeStreamPlayInfoList({
          StartTime: formatUtcTime(new Date(now - 5 * 60_000)),
          EndTime: formatUtcTime(new Date(now)),
          StreamName: "cam1",
        });
        // Samples reach the store up to an interval (1 s here) after what they count.
        const requests = list.reduce((sum, m) => sum + (m.Request ?? 0), 0);
        return (list.at(-1)?.Online ?? 0) >= 1 && requests >= 4 ? list : null;
      });
      assert.ok(minutes.length >= 5 && minutes.length <= 6, `${minutes.length} minutes`);
      assert.match(minutes[0]?.Time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
      const requests = minutes.reduce((sum, m) => sum + (m.Request ?? 0), 0);
      const flux = minutes.reduce((sum, m) => sum + (m.Flux ?? 0), 0);
      assert.ok(requests >= 4, `${requests} requests (two probes, the FLV check, this viewer)`);
      assert.ok(flux > 0.05, `${flux} MB sent`);
      assert.ok((minutes.at(-1)?.Online ?? 0) >= 1, "this viewer is online now");
      const other = await t.sdk.DescribeStreamPlayInfoList({
        StartTime: formatUtcTime(new Date(now - 60_000)),
        EndTime: formatUtcTime(new Date(now)),
        StreamName: "someone-else",
      });
      assert.ok(other.DataInfoList?.every((m) => m.Request === 0 && m.Flux === 0));

      const all = await t.sdk.DescribeAllStreamPlayInfoList({
        QueryTime: formatUtcTime(new Date(now)),
      });
      const row = all.DataInfoList?.find((r) => r.StreamName === "cam1" && r.Protocol === "Rtmp");
      assert.equal(row?.PlayDomain, "127.0.0.1");
      assert.ok((row?.Online ?? 0) >= 1);
      const none = await t.sdk.DescribeAllStreamPlayInfoList({
        QueryTime: formatUtcTime(new Date()),
        PlayDomains: ["play.example.com"],
      });
      assert.deepEqual(none.DataInfoList, []);
      await assert.rejects(
        t.sdk.DescribeStreamPlayInfoList({
          StartTime: formatUtcTime(new Date(now - 25 * 3600_000)),
          EndTime: formatUtcTime(new Date(now)),
        }),
        (err: { code?: string }) => err.code === "InvalidParameterValue",
      );
    } finally {
      viewer.child.kill("SIGKILL");
      await viewer.exited;
    }
  });
});

describe("playback: the publish's end ends its viewers", () => {
  let t: TestOnAir;
  before(async () => {
    t = await startTestOnAir({ rtmp: true });
  });
  after(async () => {
    await t.stop();
  });

  test("the publisher stops: ffmpeg viewers on RTMP and HTTP-FLV exit cleanly (code 0)", async () => {
    const publisher = publishWithFfmpeg(t.rtmpUrl("live/short"), { seconds: 4 });
    await waitFor(
      "short live",
      async () => (await t.onair.store.streams.list({ streamName: "short" })).length === 1,
    );
    const viewers = [
      watchWithFfmpeg(t.rtmpUrl("live/short")),
      watchWithFfmpeg(`${t.httpUrl}/live/short.flv`),
    ];
    assert.equal((await publisher.exited).code, 0);
    for (const viewer of viewers) {
      const exit = await Promise.race([
        viewer.exited,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
      ]);
      if (!exit) viewer.child.kill("SIGKILL");
      assert.ok(exit, "the viewer exited after the publish ended");
      assert.equal(exit.code, 0, exit.stderr);
    }
  });

  for (const action of ["DropLiveStream", "ForbidLiveStream"] as const) {
    test(`${action} ends the viewers too`, async () => {
      const name = action === "DropLiveStream" ? "dropped" : "forbidden";
      const publisher = publishWithFfmpeg(t.rtmpUrl(`live/${name}`));
      try {
        await waitFor(
          `${name} live`,
          async () => (await t.onair.store.streams.list({ streamName: name })).length === 1,
        );
        const [live] = await t.onair.store.streams.list({ streamName: name });
        const viewer = watchWithFfmpeg(
          action === "DropLiveStream" ? t.rtmpUrl(`live/${name}`) : `${t.httpUrl}/live/${name}.flv`,
        );
        await waitFor("the viewer counted", async () =>
          (await (await fetch(`${t.httpUrl}/metrics`)).text()).includes(
            `onair_play_stream_viewers{stream="live/${name}"} 1`,
          ),
        );
        // Past ffmpeg's probe (its first keyframe and a little more): a viewer ended before it
        // has seen a frame fails with "Invalid data", whatever OnAir sent.
        await waitFor("the viewer fed", async () => {
          const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
          const line = metrics
            .split("\n")
            .find((l) => l.startsWith(`onair_play_stream_bytes_total{stream="live/${name}"}`));
          return Number(line?.split(" ").pop() ?? 0) > 200_000;
        });
        await t.sdk[action]({
          DomainName: live?.domainName ?? "",
          AppName: "live",
          StreamName: name,
        });
        const exit = await Promise.race([
          viewer.exited,
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
        ]);
        if (!exit) viewer.child.kill("SIGKILL");
        assert.ok(exit, `the viewer exited after ${action}`);
        assert.equal(exit.code, 0, exit.stderr);
      } finally {
        publisher.child.kill("SIGKILL");
        await publisher.exited;
      }
    });
  }
});

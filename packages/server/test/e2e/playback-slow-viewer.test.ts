import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { captureLogs } from "../helpers/log-capture.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

// Runs alone: it asserts how far a healthy viewer's lag moves, which CPU contention moves too.

/** The publisher's GOP: one keyframe a second (ffmpeg-publisher.ts: -g 25 at 25 fps). */
const GOP_SECONDS = 1;

/**
 * The slow-viewer policy (docs/playback.md) on real sockets: an HTTP-FLV viewer and an RTMP
 * viewer that stop reading while ffmpeg pushes 6 Mbit/s (so the kernel's socket buffers fill
 * in seconds) are skipped to keyframes, then dropped with a log line and a counter; a healthy
 * ffprobe watching at the same time never falls more than one GOP behind.
 */
describe("playback: a slow viewer never delays the others", () => {
  let t: TestOnAir;
  let publisher: FfmpegPublisher;
  const logs: Record<string, unknown>[] = [];
  before(async () => {
    t = await startTestOnAir({
      rtmp: true,
      logger: captureLogs("info", logs).logger,
      flags: { playback: { maxQueuedBytes: 65_536, maxSkippedKeyframes: 2 } },
    });
    publisher = publishWithFfmpeg(t.rtmpUrl("live/busy"), { size: "1280x720", videoKbps: 6000 });
    await waitFor(
      "busy live",
      async () => (await t.onair.store.streams.list({ streamName: "busy" })).length === 1,
    );
  });
  after(async () => {
    publisher.child.kill("SIGKILL");
    await publisher.exited;
    await t.stop();
  });

  test("viewers that stop reading are dropped and counted; a healthy one stays within a GOP", async (ctx) => {
    // The healthy viewer: ffprobe printing each packet as it reads it (line-buffered).
    const healthy = spawn(
      "stdbuf",
      [
        "-oL",
        "ffprobe",
        "-v",
        "error",
        "-show_entries",
        "packet=codec_type,pts_time",
        "-of",
        "csv=p=0",
        `${t.httpUrl}/live/busy.flv`,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    const arrivals: { at: number; pts: number }[] = [];
    let partial = "";
    healthy.stdout.on("data", (d: Buffer) => {
      const at = Date.now() / 1000;
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const [kind, pts] = line.split(",");
        if (kind === "video" && pts) arrivals.push({ at, pts: Number(pts) });
      }
    });
    try {
      await waitFor("the healthy viewer reading", () => arrivals.length > 25);

      // A raw HTTP-FLV viewer that never reads past its request.
      const flvSocket = connect(t.onair.httpPort, "127.0.0.1");
      flvSocket.pause();
      flvSocket.write("GET /live/busy.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const flvClosed = new Promise<void>((resolve) => flvSocket.once("close", () => resolve()));
      flvSocket.on("error", () => undefined);

      // An RTMP viewer that plays, then stops reading.
      const rtmp = await RtmpTestClient.connect(t.onair.rtmpPort ?? 0);
      rtmp.command(["connect", 1, { app: "live", tcUrl: "rtmp://127.0.0.1/live" }]);
      await rtmp.reply("_result");
      rtmp.command(["createStream", 2, null]);
      const created = await rtmp.reply("_result");
      rtmp.command(["play", 0, null, "busy"], Number(created[3]));
      const reset = await rtmp.reply("onStatus");
      assert.equal((reset[3] as { code: string }).code, "NetStream.Play.Reset");
      rtmp.socket.pause();

      const dropped = await waitFor(
        "both slow viewers dropped",
        () => {
          const lines = logs.filter((l) => l.msg === "viewer dropped: it fell behind");
          return lines.length >= 2 ? lines : null;
        },
        { timeoutMs: 25_000 },
      );
      assert.deepEqual(dropped.map((l) => l.protocol).sort(), ["flv", "rtmp"]);
      assert.match(String(dropped[0]?.detail), /bytes behind at 2 keyframes in a row/);
      // Paused sockets see the server's close once they read again.
      flvSocket.resume();
      await flvClosed;
      rtmp.socket.resume();
      await rtmp.closed;
      const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
      assert.match(metrics, /onair_play_viewers_dropped_total\{protocol="flv"\} 1\n/);
      assert.match(metrics, /onair_play_viewers_dropped_total\{protocol="rtmp"\} 1\n/);
      assert.match(metrics, /onair_play_stream_viewers\{stream="live\/busy"\} 1\n/);

      // Meanwhile the healthy viewer kept pace: its lag (arrival − pts) moved less than a GOP.
      const settled = arrivals.slice(25);
      const lags = settled.map((a) => a.at - a.pts);
      const spread = Math.max(...lags) - Math.min(...lags);
      ctx.diagnostic(
        `healthy viewer: lag moved by ${spread.toFixed(3)} s over ${settled.length} frames`,
      );
      assert.ok(settled.length > 100, `${settled.length} video packets while the others stalled`);
      assert.ok(spread <= GOP_SECONDS, `the healthy viewer's lag moved by ${spread.toFixed(3)} s`);
    } finally {
      healthy.kill("SIGKILL");
    }
  });
});

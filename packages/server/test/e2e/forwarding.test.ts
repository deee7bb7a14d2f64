import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startNginxRtmp } from "../../bench/ingest/nginx-target.js";
import type { Target } from "../../bench/ingest/target.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { probeLive } from "../helpers/live-player.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * Forwarding (docs/relay.md) between real servers on loopback: a real ffmpeg publishes to OnAir
 * "source", which forwards every publish of push.onair.test/live to a second OnAir over RTMP and
 * over RTMPS (self-signed, verification skipped) and to a real nginx-rtmp; ffprobe reads each
 * target. A target stopped mid-stream fails alone: the publisher and the other target carry on,
 * the failure is in DescribeLiveForwardTargets and the metrics, and the target is retried until
 * it is back.
 */
const DOMAIN = "push.onair.test";

interface ForwardTargetWire {
  StreamName: string;
  TargetUrl: string;
  State: string;
  LastError: string;
  BytesSent: number;
  Attempts: number;
  Failures: number;
}

async function startTarget(rtmpPort = 0): Promise<TestOnAir> {
  return startTestOnAir({
    rtmp: true,
    flags: {
      rtmpPort,
      ingest: { rtmps: { enabled: true, port: 0, host: "127.0.0.1", selfSigned: true } },
    },
  });
}

describe("forwarding a publish to other servers", () => {
  let source: TestOnAir;
  let second: TestOnAir;
  let nginx: Target;
  before(async () => {
    [second, nginx] = await Promise.all([startTarget(), startNginxRtmp()]);
    source = await startTestOnAir({
      rtmp: true,
      flags: {
        ingest: { defaultDomain: DOMAIN },
        forwarding: { tlsSkipVerify: true, retryInitialMs: 200, retryMaxMs: 500 },
      },
    });
  });
  after(async () => {
    await Promise.all([source?.stop(), second?.stop(), nginx?.stop()]);
  });

  const targets = async (streamName: string) => {
    const r = (await source.sdk.request("DescribeLiveForwardTargets", {
      StreamName: streamName,
    })) as { Targets: ForwardTargetWire[] };
    return r.Targets;
  };
  const addRule = (appName: string, url: string) =>
    source.sdk.request("CreateLiveForwardRule", {
      DomainName: DOMAIN,
      AppName: appName,
      TargetUrl: url,
    });
  const metrics = async () => (await fetch(`${source.httpUrl}/metrics`)).text();

  test("to OnAir over RTMP and RTMPS and to nginx-rtmp: ffprobe reads each target", async () => {
    const secondPort = second.onair.rtmpPort;
    const tlsPort = second.onair.rtmpsPort;
    await addRule("live", `rtmp://127.0.0.1:${secondPort}/relay`);
    await addRule("live", `rtmps://127.0.0.1:${tlsPort}/tls/{StreamName}_copy`);
    await addRule("live", `rtmp://127.0.0.1:${nginx.rtmpPort}/live`);
    const rules = (await source.sdk.request("DescribeLiveForwardRules", {})) as {
      Rules: { TargetUrl: string }[];
    };
    assert.equal(rules.Rules.length, 3);
    const ffmpeg = publishWithFfmpeg(source.rtmpUrl("live/fw"), { seconds: 10 });
    try {
      const live = await waitFor(
        "three live forward targets",
        async () => {
          const now = await targets("fw");
          return now.length === 3 && now.every((t) => t.State === "live") ? now : null;
        },
        { timeoutMs: 10_000 },
      );
      assert.deepEqual(
        live.map((t) => t.TargetUrl).sort(),
        [
          `rtmp://127.0.0.1:${nginx.rtmpPort}/live/fw`,
          `rtmp://127.0.0.1:${secondPort}/relay/fw`,
          `rtmps://127.0.0.1:${tlsPort}/tls/fw_copy`,
        ].sort(),
      );
      const probes = await Promise.all([
        probeLive(`rtmp://127.0.0.1:${secondPort}/relay/fw`, 2),
        probeLive(`rtmps://127.0.0.1:${tlsPort}/tls/fw_copy`, 2),
        probeLive(`rtmp://127.0.0.1:${nginx.rtmpPort}/live/fw`, 2),
      ]);
      for (const probe of probes) {
        const video = probe.streams.find((s) => s.codec_type === "video");
        const audio = probe.streams.find((s) => s.codec_type === "audio");
        assert.equal(video?.codec_name, "h264");
        assert.equal(video?.width, 640);
        assert.equal(video?.height, 360);
        assert.equal(audio?.codec_name, "aac");
        assert.ok(probe.packets.filter((p) => p.codec_type === "video").length > 10);
      }
      const text = await metrics();
      assert.match(text, /onair_forward_targets\{state="live"\} 3/);
      assert.ok(Number(/onair_forward_bytes_total (\d+)/.exec(text)?.[1]) > 100_000);
    } finally {
      ffmpeg.child.kill("SIGKILL");
      await ffmpeg.exited;
    }
    await waitFor("the forwards to end with the publish", async () =>
      (await targets("fw")).length === 0 ? true : null,
    );
    for (const url of [
      `rtmp://127.0.0.1:${secondPort}/relay`,
      `rtmps://127.0.0.1:${tlsPort}/tls/{StreamName}_copy`,
      `rtmp://127.0.0.1:${nginx.rtmpPort}/live`,
    ]) {
      await source.sdk.request("DeleteLiveForwardRule", {
        DomainName: DOMAIN,
        AppName: "live",
        TargetUrl: url,
      });
    }
  });

  test("a target stopped mid-stream: the publisher and the other target carry on; it is retried", async () => {
    let flaky = await startTarget();
    const flakyPort = flaky.onair.rtmpPort ?? 0;
    await addRule("keep", `rtmp://127.0.0.1:${nginx.rtmpPort}/live`);
    await addRule("keep", `rtmp://127.0.0.1:${flakyPort}/live`);
    const ffmpeg = publishWithFfmpeg(source.rtmpUrl("keep/kept"));
    try {
      await waitFor("both targets live", async () => {
        const now = await targets("kept");
        return now.length === 2 && now.every((t) => t.State === "live");
      });
      await flaky.stop();
      const failed = await waitFor("the stopped target to be retrying", async () => {
        const now = await targets("kept");
        const down = now.find((t) => t.TargetUrl.includes(`:${flakyPort}/`));
        return down && down.State !== "live" && down.Failures > 0 ? now : null;
      });
      const down = failed.find((t) => t.TargetUrl.includes(`:${flakyPort}/`));
      const up = failed.find((t) => t.TargetUrl.includes(`:${nginx.rtmpPort}/`));
      assert.match(down?.LastError ?? "", /closed|ECONNREFUSED|ECONNRESET|ended/);
      assert.equal(up?.State, "live");
      const text = await metrics();
      assert.ok(Number(/onair_forward_failures_total (\d+)/.exec(text)?.[1]) >= 1);
      assert.match(text, /onair_forward_targets\{state="(retrying|connecting)"\} 1/);
      // The other target still gets media, and the publisher was never touched.
      const before = up?.BytesSent ?? 0;
      await waitFor("the kept target to keep receiving", async () => {
        const now = await targets("kept");
        const kept = now.find((t) => t.TargetUrl.includes(`:${nginx.rtmpPort}/`));
        return (kept?.BytesSent ?? 0) > before + 50_000;
      });
      assert.equal(ffmpeg.child.exitCode, null, "the publisher is still publishing");
      // Back on the same port: the next attempt goes live, and the stream plays there.
      flaky = await startTarget(flakyPort);
      const back = await waitFor("the target to be live again", async () => {
        const now = await targets("kept");
        const t = now.find((x) => x.TargetUrl.includes(`:${flakyPort}/`));
        return t?.State === "live" ? t : null;
      });
      assert.ok(back.Attempts >= 2, `attempts ${back.Attempts}`);
      const probe = await probeLive(`rtmp://127.0.0.1:${flakyPort}/live/kept`, 1);
      assert.equal(probe.streams.find((s) => s.codec_type === "video")?.codec_name, "h264");
    } finally {
      ffmpeg.child.kill("SIGKILL");
      await ffmpeg.exited;
      await flaky.stop();
    }
  });
});

/**
 * Scenario "relay": CPU per relayed stream-minute of OnAir forwarding (docs/relay.md) against
 * nginx-rtmp's `push`, in the same run. N publishers replay a 720p30 CBR FLV (3 Mbit/s video +
 * 128 kbit/s AAC) at real-time rate to the server under test, each in its own process started
 * afresh; both relay every stream to one sink (a separate nginx-rtmp, not measured). Each server
 * is measured twice on the same instance: N publishes to an application without a relay (the
 * ingest alone), then N to one that relays. Printed per server: CPU seconds per stream-minute of
 * the ingest alone and with the relay, the relay's own share (the difference), each as a ratio
 * to nginx-rtmp, and whether every relayed stream reached the sink.
 *
 * Env: RELAY_STREAMS (8), RELAY_MEASURE_SECONDS (10), RELAY_WARMUP_SECONDS (3).
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureHdFixture } from "../ingest/flv-fixture.js";
import { readFlvFile } from "../ingest/flv-reader.js";
import { startNginxRtmp } from "../ingest/nginx-target.js";
import { startOnAirTarget } from "../ingest/onair-process.js";
import { treeCpuSeconds } from "../ingest/proc-tree.js";
import { type Publisher, startPublisher } from "../ingest/rtmp-load-publisher.js";
import type { Target } from "../ingest/target.js";
import { playRtmp } from "../playback/viewer.js";

const int = (name: string, fallback: number, min: number, max: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
};
const STREAMS = int("RELAY_STREAMS", 8, 1, 200);
const MEASURE = int("RELAY_MEASURE_SECONDS", 10, 1, 600);
const WARMUP = int("RELAY_WARMUP_SECONDS", 3, 1, 600);

const tags = await readFlvFile(ensureHdFixture({ width: 1280, height: 720, mbps: 3, seconds: 10 }));
const media = tags.filter((t) => t.type === 8 || t.type === 9);
const publishedKbps =
  (media.reduce((sum, t) => sum + t.data.length, 0) * 8) /
  ((media.at(-1)?.timestamp ?? 1000) / 1000) /
  1000;

const budgetMs = 2 * (2 * (WARMUP + MEASURE + 15) + 60) * 1000;
setTimeout(() => {
  console.error(`relay bench: gave up after ${Math.round(budgetMs / 1000)} s`);
  process.exit(1); // exit handlers kill the servers and remove their directories
}, budgetMs).unref();

interface Window {
  cpuPerStreamMinute: number;
  failed: number;
}

/** N publishers to `app` on the server, CPU of its tree over the window after a warm-up. */
async function measure(target: Target, app: string, prefix: string): Promise<Window> {
  const publishers: Publisher[] = [];
  try {
    for (let i = 0; i < STREAMS; i++) {
      publishers.push(
        await startPublisher({
          host: "127.0.0.1",
          port: target.rtmpPort,
          app,
          stream: `${prefix}${i}`,
          tags,
        }),
      );
    }
    await sleep(WARMUP * 1000);
    const before = treeCpuSeconds(target.pid);
    const started = performance.now();
    await sleep(MEASURE * 1000);
    const cpu = treeCpuSeconds(target.pid) - before;
    const minutes = (performance.now() - started) / 60_000;
    return {
      cpuPerStreamMinute: cpu / (STREAMS * minutes),
      failed: publishers.filter((p) => p.failure !== null).length,
    };
  } finally {
    await Promise.all(publishers.map((p) => p.stop("graceful")));
    await sleep(1000);
  }
}

/** How many of the relayed streams the sink serves now (a play that gets a keyframe). */
async function reachedSink(sink: Target, prefix: string): Promise<number> {
  const viewers = Array.from({ length: STREAMS }, (_, i) =>
    playRtmp({ host: "127.0.0.1", port: sink.rtmpPort, app: "live", stream: `${prefix}${i}` }),
  );
  const deadline = performance.now() + 8000;
  while (performance.now() < deadline && viewers.some((v) => v.firstKeyframeMs === null)) {
    await sleep(50);
  }
  const reached = viewers.filter((v) => v.firstKeyframeMs !== null).length;
  for (const v of viewers) v.close();
  return reached;
}

interface Outcome {
  id: string;
  ingest: Window;
  relay: Window;
  reached: number;
}

async function run(
  id: string,
  start: (sinkUrl: string) => Promise<Target>,
  sink: Target,
): Promise<Outcome> {
  const target = await start(`rtmp://127.0.0.1:${sink.rtmpPort}/live`);
  try {
    const ingest = await measure(target, "plain", `${id}-plain-`);
    // The relayed window, with a check while it runs that the sink has every stream.
    let reached = 0;
    const relay = await Promise.all([
      measure(target, "relay", `${id}-`),
      sleep(WARMUP * 1000).then(async () => {
        reached = await reachedSink(sink, `${id}-`);
      }),
    ]).then(([window]) => window);
    return { id, ingest, relay, reached };
  } finally {
    await target.stop();
  }
}

console.log(
  `relay bench: ${STREAMS} streams 1280x720 30 fps at ${publishedKbps.toFixed(0)} kbit/s each, relayed to one nginx-rtmp sink, ${MEASURE} s windows`,
);
const sink = await startNginxRtmp();
const outcomes: Outcome[] = [];
try {
  outcomes.push(
    await run(
      "nginx-rtmp",
      (sinkUrl) =>
        startNginxRtmp({
          applications: `application plain { live on; record off; }
    application relay { live on; record off; push ${sinkUrl}; }`,
        }),
      sink,
    ),
  );
  outcomes.push(
    await run(
      "onair",
      (sinkUrl) =>
        startOnAirTarget("", { name: "onair", ingest: {} }, [
          { appName: "relay", targetUrl: sinkUrl },
        ]),
      sink,
    ),
  );
} finally {
  await sink.stop();
}

const nginx = outcomes.find((o) => o.id === "nginx-rtmp");
const ratio = (value: number, base: number | undefined) =>
  base === undefined || base <= 0 ? "—" : `${(value / base).toFixed(2)}×`;
console.table(
  outcomes.map((o) => {
    const share = o.relay.cpuPerStreamMinute - o.ingest.cpuPerStreamMinute;
    const nginxShare = nginx
      ? nginx.relay.cpuPerStreamMinute - nginx.ingest.cpuPerStreamMinute
      : undefined;
    return {
      target: o.id,
      "ingest CPU s/stream-min": o.ingest.cpuPerStreamMinute.toFixed(3),
      "ingest+relay CPU s/stream-min": o.relay.cpuPerStreamMinute.toFixed(3),
      "vs nginx": ratio(o.relay.cpuPerStreamMinute, nginx?.relay.cpuPerStreamMinute),
      "relay share CPU s/stream-min": share.toFixed(3),
      "share vs nginx": ratio(share, nginxShare),
      "reached sink": `${o.reached}/${STREAMS}`,
      "failed publishers": o.ingest.failed + o.relay.failed,
    };
  }),
);
const complete = outcomes.length === 2 && outcomes.every((o) => o.reached === STREAMS);
process.exit(complete ? 0 : 1);

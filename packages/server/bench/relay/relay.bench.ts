/**
 * Scenario "relay": CPU per relayed stream-minute of OnAir forwarding (docs/relay.md) against
 * nginx-rtmp's `push`, in the same run. N publishers replay a 720p30 CBR FLV (3 Mbit/s video +
 * 128 kbit/s AAC) at real-time rate to the server under test, each in its own process started
 * afresh; both relay every stream to one sink (a separate nginx-rtmp, not measured). Each server
 * is measured twice, each time started afresh: N publishes to an application without a relay
 * (the ingest alone), then N to one that relays. Printed per server: CPU seconds per
 * stream-minute of the ingest alone and with the relay, the relay's own share (the difference),
 * each as a ratio to nginx-rtmp, and whether every relayed stream reached the sink; each in a
 * first window after the warm-up and in a steady one once the publishers have run a minute
 * (../ingest/steady-window.ts).
 *
 * Env: RELAY_STREAMS (8), RELAY_MEASURE_SECONDS (10), RELAY_WARMUP_SECONDS (3),
 * BENCH_STEADY_AFTER_SECONDS (60).
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureHdFixture } from "../ingest/flv-fixture.js";
import { readFlvFile } from "../ingest/flv-reader.js";
import { startNginxRtmp } from "../ingest/nginx-target.js";
import { startOnAirTarget } from "../ingest/onair-process.js";
import { type Publisher, startPublisher } from "../ingest/rtmp-load-publisher.js";
import {
  cpuWindow,
  firstAndSteady,
  STEADY_AFTER_SECONDS,
  steadyStartSeconds,
  windowLabels,
} from "../ingest/steady-window.js";
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

const budgetMs = 2 * (2 * (steadyStartSeconds(WARMUP + MEASURE) + MEASURE + 20) + 60) * 1000;
setTimeout(() => {
  console.error(`relay bench: gave up after ${Math.round(budgetMs / 1000)} s`);
  process.exit(1); // exit handlers kill the servers and remove their directories
}, budgetMs).unref();

interface AppMeasurement {
  /** CPU seconds per stream-minute in the first window and (or NaN) the steady one. */
  first: number;
  steady: number;
  failed: number;
}

/** N publishers to `app` on the server, CPU of its tree over the first and steady windows. */
async function measure(target: Target, app: string, prefix: string): Promise<AppMeasurement> {
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
    const { first, steady } = await firstAndSteady(WARMUP, async () => {
      const w = await cpuWindow(target.pid, MEASURE);
      return w.cpuSeconds / (STREAMS * (w.seconds / 60));
    });
    return {
      first,
      steady: steady ?? Number.NaN,
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
  ingest: AppMeasurement;
  relay: AppMeasurement;
  reached: number;
}

/** `use` on a server started afresh, so each application's first window is a first minute. */
async function onFreshServer<T>(
  start: (sinkUrl: string) => Promise<Target>,
  sink: Target,
  use: (target: Target) => Promise<T>,
): Promise<T> {
  const target = await start(`rtmp://127.0.0.1:${sink.rtmpPort}/live`);
  try {
    return await use(target);
  } finally {
    await target.stop();
  }
}

async function run(
  id: string,
  start: (sinkUrl: string) => Promise<Target>,
  sink: Target,
): Promise<Outcome> {
  const ingest = await onFreshServer(start, sink, (t) => measure(t, "plain", `${id}-plain-`));
  // The relayed windows, with a check while they run that the sink has every stream.
  let reached = 0;
  const relay = await onFreshServer(start, sink, (t) =>
    Promise.all([
      measure(t, "relay", `${id}-`),
      sleep(WARMUP * 1000).then(async () => {
        reached = await reachedSink(sink, `${id}-`);
      }),
    ]).then(([measured]) => measured),
  );
  return { id, ingest, relay, reached };
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
  base === undefined || !(base > 0) || !Number.isFinite(value)
    ? "—"
    : `${(value / base).toFixed(2)}×`;
const labels = windowLabels(WARMUP, MEASURE);
const windows = STEADY_AFTER_SECONDS > 0 ? (["first", "steady"] as const) : (["first"] as const);
console.table(
  windows.flatMap((w) =>
    outcomes.map((o) => {
      const share = o.relay[w] - o.ingest[w];
      const nginxShare = nginx ? nginx.relay[w] - nginx.ingest[w] : undefined;
      return {
        target: o.id,
        window: labels[w],
        "ingest CPU s/stream-min": o.ingest[w].toFixed(3),
        "ingest+relay CPU s/stream-min": o.relay[w].toFixed(3),
        "vs nginx": ratio(o.relay[w], nginx?.relay[w]),
        "relay share CPU s/stream-min": share.toFixed(3),
        "share vs nginx": ratio(share, nginxShare),
        "reached sink": `${o.reached}/${STREAMS}`,
        "failed publishers": o.ingest.failed + o.relay.failed,
      };
    }),
  ),
);
const complete = outcomes.length === 2 && outcomes.every((o) => o.reached === STREAMS);
process.exit(complete ? 0 : 1);

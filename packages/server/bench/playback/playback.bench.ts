/**
 * Scenario "playback": one publisher replays a 720p30 CBR FLV (~2.5 Mbit/s video + 128 kbit/s
 * AAC) at real-time rate, and N viewers play it, N ramped up step by step. Targets, one after the
 * other in the same run, each in its own process started afresh: nginx-rtmp (RTMP play, the
 * baseline), OnAir over RTMP and over HTTP-FLV, node-media-server over HTTP-FLV. The viewers are
 * this process's own lightweight readers (viewer.ts), not ffmpeg. Per step it prints CPU seconds
 * per viewer-minute and RSS per viewer above the publisher-only baseline, each as a ratio to
 * nginx-rtmp at the same N, play request → first keyframe latency p50/p99 of the viewers that
 * joined at that step, and viewers dropped (closed by the server) or starved (got under half of
 * the published bytes in the window). A target's ramp stops at the first step that loses one.
 *
 * Env: PLAYBACK_VIEWERS (10,50,100,200: the ramp), PLAYBACK_TARGETS
 * (nginx-rtmp,onair-rtmp,onair-flv,node-media-server-flv), PLAYBACK_MEASURE_SECONDS (6),
 * PLAYBACK_SETTLE_SECONDS (2), PLAYBACK_WARMUP_SECONDS (3).
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureHdFixture } from "../ingest/flv-fixture.js";
import { readFlvFile } from "../ingest/flv-reader.js";
import { percentile } from "../ingest/latency.js";
import { startNginxRtmp } from "../ingest/nginx-target.js";
import { startNodeMediaServer } from "../ingest/nms-target.js";
import { startOnAirTarget } from "../ingest/onair-process.js";
import { treeCpuSeconds, treeRssBytes } from "../ingest/proc-tree.js";
import { type Publisher, startPublisher } from "../ingest/rtmp-load-publisher.js";
import type { Target } from "../ingest/target.js";
import { playHttpFlv, playRtmp, type Viewer } from "./viewer.js";

const int = (name: string, fallback: number, min: number, max: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
};
const RAMP = (process.env.PLAYBACK_VIEWERS ?? "10,50,100,200").split(",").map((v) => {
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < 1 || n > 2000) {
    throw new Error("PLAYBACK_VIEWERS takes increasing integers in [1, 2000], comma-separated");
  }
  return n;
});
if (RAMP.some((n, i) => i > 0 && n <= (RAMP[i - 1] as number))) {
  throw new Error("PLAYBACK_VIEWERS must increase");
}
const MEASURE = int("PLAYBACK_MEASURE_SECONDS", 6, 1, 600);
const SETTLE = int("PLAYBACK_SETTLE_SECONDS", 2, 0, 600);
const WARMUP = int("PLAYBACK_WARMUP_SECONDS", 3, 1, 600);
/** Viewers connecting at once; the rest wait their turn, as a crowd arriving over a moment. */
const CONNECT_BATCH = 10;
const KEYFRAME_WAIT_MS = 10_000;
/** Under this share of the published bytes in the window, a viewer is counted as starved. */
const STARVED = 0.5;
const APP = "live";
const STREAM = "bench";

type Protocol = "rtmp" | "flv";
interface TargetSpec {
  id: string;
  protocol: Protocol;
  start: () => Promise<Target>;
}
const TARGETS: TargetSpec[] = [
  { id: "nginx-rtmp", protocol: "rtmp", start: () => startNginxRtmp() },
  { id: "onair-rtmp", protocol: "rtmp", start: () => startOnAirTarget("") },
  { id: "onair-flv", protocol: "flv", start: () => startOnAirTarget("") },
  {
    id: "node-media-server-flv",
    protocol: "flv",
    start: () => startNodeMediaServer({ http: true }),
  },
];
const wanted = (process.env.PLAYBACK_TARGETS ?? TARGETS.map((t) => t.id).join(","))
  .split(",")
  .map((v) => v.trim());
const unknown = wanted.filter((id) => !TARGETS.some((t) => t.id === id));
if (unknown.length > 0) {
  throw new Error(`PLAYBACK_TARGETS takes a subset of ${TARGETS.map((t) => t.id).join(",")}`);
}
const targets = TARGETS.filter((t) => wanted.includes(t.id));

interface Step {
  viewers: number;
  cpuPerViewerMinute: number;
  rssPerViewer: number;
  keyframeP50: number;
  keyframeP99: number;
  /** Viewers of this step that never got a keyframe within KEYFRAME_WAIT_MS. */
  noKeyframe: number;
  dropped: number;
  starved: number;
}
interface Outcome {
  target: TargetSpec;
  baselineCpuPerMinute: number;
  baselineRss: number;
  steps: Step[];
  largestClean: number;
  note: string;
}

const tags = await readFlvFile(
  ensureHdFixture({ width: 1280, height: 720, mbps: 2.5, seconds: 10 }),
);
const media = tags.filter((t) => t.type === 8 || t.type === 9);
const publishedKbps =
  (media.reduce((sum, t) => sum + t.data.length, 0) * 8) /
  ((media.at(-1)?.timestamp ?? 1000) / 1000) /
  1000;

// Bounded however the servers behave.
const budgetMs =
  targets.length * (WARMUP + MEASURE + 30 + RAMP.length * (SETTLE + MEASURE + 25)) * 1000;
setTimeout(() => {
  console.error(`playback bench: gave up after ${Math.round(budgetMs / 1000)} s`);
  process.exit(1); // exit handlers kill the servers and remove their directories
}, budgetMs).unref();

/** CPU seconds the tree used over `seconds`, with the publisher's bytes over the same window. */
async function measure(target: Target, publisher: Publisher, viewers: readonly Viewer[]) {
  const bytesBefore = viewers.map((v) => v.bytes);
  const publishedBefore = publisher.bytesSent;
  const cpuBefore = treeCpuSeconds(target.pid);
  const started = performance.now();
  await sleep(MEASURE * 1000);
  const cpu = treeCpuSeconds(target.pid) - cpuBefore;
  const minutes = (performance.now() - started) / 60_000;
  const published = publisher.bytesSent - publishedBefore;
  const starved = viewers.filter(
    (v, i) => v.failure === null && v.bytes - (bytesBefore[i] as number) < STARVED * published,
  ).length;
  return { cpu, minutes, rss: treeRssBytes(target.pid), starved };
}

function play(spec: TargetSpec, target: Target) {
  const where = { host: "127.0.0.1", app: APP, stream: STREAM };
  if (spec.protocol === "rtmp") return playRtmp({ ...where, port: target.rtmpPort });
  if (!target.httpPort) throw new Error(`${spec.id} has no HTTP port`);
  return playHttpFlv({ ...where, port: target.httpPort });
}

async function runTarget(spec: TargetSpec): Promise<Outcome> {
  const target = await spec.start();
  const viewers: Viewer[] = [];
  let publisher: Publisher | null = null;
  try {
    publisher = await startPublisher({
      host: "127.0.0.1",
      port: target.rtmpPort,
      app: APP,
      stream: STREAM,
      tags,
    });
    await sleep(WARMUP * 1000);
    const baseline = await measure(target, publisher, []);
    const outcome: Outcome = {
      target: spec,
      baselineCpuPerMinute: baseline.cpu / baseline.minutes,
      baselineRss: baseline.rss,
      steps: [],
      largestClean: 0,
      note: "",
    };
    for (const n of RAMP) {
      const joining: Viewer[] = [];
      while (viewers.length < n) {
        const batch = Array.from({ length: Math.min(CONNECT_BATCH, n - viewers.length) }, () =>
          play(spec, target),
        );
        viewers.push(...batch);
        joining.push(...batch);
        await Promise.all(batch.map((v) => v.ready.catch(() => undefined)));
      }
      const deadline = performance.now() + KEYFRAME_WAIT_MS;
      while (
        performance.now() < deadline &&
        joining.some((v) => v.firstKeyframeMs === null && v.failure === null)
      ) {
        await sleep(20);
      }
      await sleep(SETTLE * 1000);
      const window = await measure(target, publisher, viewers);
      const latencies = joining.flatMap((v) =>
        v.firstKeyframeMs === null ? [] : [v.firstKeyframeMs],
      );
      const step: Step = {
        viewers: n,
        cpuPerViewerMinute:
          (window.cpu - outcome.baselineCpuPerMinute * window.minutes) / (n * window.minutes),
        rssPerViewer: (window.rss - baseline.rss) / n,
        keyframeP50: percentile(latencies, 50),
        keyframeP99: percentile(latencies, 99),
        noKeyframe: joining.length - latencies.length,
        dropped: viewers.filter((v) => v.failure !== null).length,
        starved: window.starved,
      };
      outcome.steps.push(step);
      if (publisher.failure) {
        outcome.note = `publisher failed: ${publisher.failure}`;
        break;
      }
      if (step.dropped > 0 || step.starved > 0 || step.noKeyframe > 0) {
        const why = viewers.find((v) => v.failure !== null)?.failure;
        outcome.note = `lost viewers at N=${n}${why ? ` (${why})` : ""}`;
        break;
      }
      outcome.largestClean = n;
    }
    return outcome;
  } finally {
    for (const v of viewers) v.close();
    await publisher?.stop("abrupt");
    await target.stop();
  }
}

console.log(
  `playback bench: 1 publisher 1280x720 30 fps at ${publishedKbps.toFixed(0)} kbit/s, viewers ${RAMP.join(",")}, ${MEASURE} s windows`,
);
const outcomes: Outcome[] = [];
for (const spec of targets) {
  try {
    outcomes.push(await runTarget(spec));
  } catch (error) {
    console.error(`${spec.id}: ${(error as Error).message}`);
  }
  const last = outcomes.at(-1);
  if (last?.target === spec) {
    console.log(
      `${spec.id}: baseline ${(last.baselineCpuPerMinute).toFixed(2)} CPU s/min, ${(last.baselineRss / 2 ** 20).toFixed(1)} MiB; largest N without a lost viewer ${last.largestClean}${last.note ? `; ${last.note}` : ""}`,
    );
  }
}

const nginx = outcomes.find((o) => o.target.id === "nginx-rtmp");
const ratio = (value: number, base: number | undefined) =>
  base === undefined || base <= 0 ? "—" : `${(value / base).toFixed(2)}×`;
const rows = outcomes.flatMap((o) =>
  o.steps.map((s) => {
    const base = nginx?.steps.find((b) => b.viewers === s.viewers);
    return {
      target: o.target.id,
      N: s.viewers,
      "CPU s/viewer-min": s.cpuPerViewerMinute.toFixed(4),
      "CPU vs nginx": ratio(s.cpuPerViewerMinute, base?.cpuPerViewerMinute),
      "RSS KiB/viewer": (s.rssPerViewer / 1024).toFixed(0),
      "RSS vs nginx": ratio(s.rssPerViewer, base?.rssPerViewer),
      "keyframe p50 ms": s.keyframeP50.toFixed(1),
      "keyframe p99 ms": s.keyframeP99.toFixed(1),
      lost: s.dropped + s.starved + s.noKeyframe,
    };
  }),
);
console.table(rows);
process.exit(outcomes.length === targets.length ? 0 : 1);

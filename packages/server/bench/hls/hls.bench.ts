/**
 * Scenario "hls": N publishers (HLS_STREAMS, 4) each replay a 720p30 CBR FLV (~2.5 Mbit/s video
 * + 128 kbit/s AAC) with `ffmpeg -re -stream_loop -1 -c copy`, and each stream has one HLS
 * client that reloads its playlist every second and fetches every new segment (hls-client.ts),
 * so the server really produces and serves HLS. Targets, one after the other in the same run,
 * each in a process started afresh: nginx-rtmp with its HLS module (`hls on; hls_fragment 2s;`,
 * MPEG-TS files served by nginx's http) as the baseline, then OnAir's native HLS (fMP4, LL-HLS
 * parts, in memory; docs/hls.md). Over a window of HLS_MEASURE_SECONDS (20) after
 * HLS_WARMUP_SECONDS (8), it prints CPU seconds per stream-minute and RSS per stream (the whole
 * process tree, /proc), each as a ratio to nginx-rtmp, and the segment bytes the clients got; the
 * CPU again in a steady window BENCH_STEADY_AFTER_SECONDS (60; ../ingest/steady-window.ts) after
 * the last client joined, and the bytes, segments and RSS of that window.
 * docs/hls-latency-and-cost.md has the figures of a run.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { onCleanup } from "../ingest/cleanup.js";
import { ensureHdFixture } from "../ingest/flv-fixture.js";
import { startNginxRtmp } from "../ingest/nginx-target.js";
import { startOnAirTarget } from "../ingest/onair-process.js";
import { killTree, treeRssBytes } from "../ingest/proc-tree.js";
import {
  type CpuWindow,
  cpuWindow,
  firstAndSteady,
  STEADY_AFTER_SECONDS,
  steadyStartSeconds,
} from "../ingest/steady-window.js";
import type { Target } from "../ingest/target.js";
import { type HlsClient, watchHls } from "./hls-client.js";

const int = (name: string, fallback: number, min: number, max: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
};
const STREAMS = int("HLS_STREAMS", 4, 1, 50);
const WARMUP = int("HLS_WARMUP_SECONDS", 8, 4, 600);
const MEASURE = int("HLS_MEASURE_SECONDS", 20, 4, 600);
const RELOAD_MS = 1_000;
const APP = "live";

interface TargetSpec {
  id: string;
  /** false: the same publishers with no HLS client, the cost of ingest alone for comparison. */
  clients: boolean;
  start: () => Promise<Target>;
  /** The playlist a client opens for stream `name`. */
  playlist: (target: Target, name: string) => string;
}
const TARGETS: TargetSpec[] = [
  {
    id: "nginx-rtmp-hls",
    clients: true,
    start: () => startNginxRtmp({ hls: true }),
    playlist: (t, name) => `http://127.0.0.1:${t.httpPort}/hls/${name}.m3u8`,
  },
  {
    id: "onair-hls",
    clients: true,
    start: () => startOnAirTarget(""),
    playlist: (t, name) => `http://127.0.0.1:${t.httpPort}/${APP}/${name}.m3u8`,
  },
  {
    id: "nginx-rtmp-ingest-only",
    clients: false,
    start: () => startNginxRtmp(),
    playlist: () => "",
  },
  {
    id: "onair-ingest-only",
    clients: false,
    start: () => startOnAirTarget(""),
    playlist: () => "",
  },
];

interface Outcome {
  spec: TargetSpec;
  cpuPerStreamMinute: number;
  /** NaN when there is no steady window. */
  steadyCpuPerStreamMinute: number;
  rssPerStream: number;
  /** RSS above the idle process (before any publisher), per stream. */
  addedRssPerStream: number;
  clientKbps: number;
  segments: number;
  failures: string[];
}

const fixture = ensureHdFixture({ width: 1280, height: 720, mbps: 2.5, seconds: 10 });

setTimeout(
  () => {
    console.error("hls bench: gave up");
    process.exit(1);
  },
  TARGETS.length * (steadyStartSeconds(WARMUP + MEASURE) + MEASURE + 60) * 1000,
).unref();

/** `ffmpeg -re -stream_loop -1 -i FILE -c copy`: a real encoder's output, at its own rate, copied. */
function replay(url: string): () => void {
  const child = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", fixture],
      ...["-c", "copy", "-f", "flv", url],
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  return onCleanup(() => killTree(child.pid ?? -1));
}

/** The stream's playlist answers 200 (the server has started segmenting it). */
async function waitForPlaylist(url: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    const res = await fetch(url).catch(() => null);
    await res?.body?.cancel();
    if (res?.ok) return;
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within 20 s`);
}

async function runTarget(spec: TargetSpec): Promise<Outcome> {
  const target = await spec.start();
  await sleep(1000);
  const idleRss = treeRssBytes(target.pid);
  const stops: (() => void)[] = [];
  const clients: HlsClient[] = [];
  try {
    const names = Array.from({ length: STREAMS }, (_, i) => `bench${i}`);
    for (const name of names) {
      stops.push(replay(`rtmp://127.0.0.1:${target.rtmpPort}/${APP}/${name}`));
    }
    for (const name of names) {
      if (!spec.clients) continue;
      await waitForPlaylist(spec.playlist(target, name));
      clients.push(watchHls(spec.playlist(target, name), { reloadMs: RELOAD_MS }));
    }
    const total = (of: (c: HlsClient) => number) => clients.reduce((sum, c) => sum + of(c), 0);
    const window = async () => {
      const [bytes, segments] = [total((c) => c.bytes), total((c) => c.segments)];
      const cpu = await cpuWindow(target.pid, MEASURE);
      return {
        cpu,
        bytes: total((c) => c.bytes) - bytes,
        segments: total((c) => c.segments) - segments,
      };
    };
    // Both windows count from when the last client joined: its first segments are not steady.
    const { first, steady } = await firstAndSteady(WARMUP, window);
    // Bytes, segments and RSS are of the last window.
    const last = steady ?? first;
    const perStreamMinute = (w: CpuWindow) => w.cpuSeconds / (STREAMS * (w.seconds / 60));
    const rss = treeRssBytes(target.pid);
    return {
      spec,
      cpuPerStreamMinute: perStreamMinute(first.cpu),
      steadyCpuPerStreamMinute: steady ? perStreamMinute(steady.cpu) : Number.NaN,
      rssPerStream: rss / STREAMS,
      addedRssPerStream: (rss - idleRss) / STREAMS,
      clientKbps: (last.bytes * 8) / last.cpu.seconds / 1000 / STREAMS,
      segments: last.segments,
      failures: clients.flatMap((c) => (c.failure ? [c.failure] : [])),
    };
  } finally {
    for (const c of clients) c.close();
    for (const stop of stops) stop();
    await target.stop();
  }
}

console.log(
  `hls bench: ${STREAMS} publishers 1280x720 30 fps ~2.6 Mbit/s (ffmpeg -re -c copy), one HLS client each, ${MEASURE} s windows: CPU after ${WARMUP} s` +
    (STEADY_AFTER_SECONDS > 0
      ? ` and after ${steadyStartSeconds(WARMUP + MEASURE)} s (steady; segments, bytes and RSS of that window)`
      : ""),
);
const outcomes: Outcome[] = [];
for (const spec of TARGETS) {
  try {
    outcomes.push(await runTarget(spec));
  } catch (error) {
    console.error(`${spec.id}: ${(error as Error).message}`);
  }
}
// Each is compared with nginx-rtmp doing the same: HLS with clients, or ingest alone.
const baseline = (o: Outcome) =>
  outcomes.find((b) => b.spec.id.startsWith("nginx") && b.spec.clients === o.spec.clients);
const ratio = (value: number, base: number | undefined) =>
  base === undefined || !(base > 0) || !Number.isFinite(value)
    ? "—"
    : `${(value / base).toFixed(2)}×`;
console.table(
  outcomes.map((o) => ({
    target: o.spec.id,
    "first CPU s/stream-min": o.cpuPerStreamMinute.toFixed(3),
    "CPU vs nginx": ratio(o.cpuPerStreamMinute, baseline(o)?.cpuPerStreamMinute),
    "steady CPU s/stream-min": Number.isFinite(o.steadyCpuPerStreamMinute)
      ? o.steadyCpuPerStreamMinute.toFixed(3)
      : "n/a",
    "steady vs nginx": ratio(o.steadyCpuPerStreamMinute, baseline(o)?.steadyCpuPerStreamMinute),
    "RSS MiB/stream": (o.rssPerStream / 2 ** 20).toFixed(1),
    "RSS vs nginx": ratio(o.rssPerStream, baseline(o)?.rssPerStream),
    "added RSS MiB/stream": (o.addedRssPerStream / 2 ** 20).toFixed(1),
    "added RSS vs nginx": ratio(o.addedRssPerStream, baseline(o)?.addedRssPerStream),
    "client kbit/s/stream": o.clientKbps.toFixed(0),
    segments: o.segments,
    "client failures": o.failures.length,
  })),
);
for (const o of outcomes) for (const f of o.failures) console.error(`${o.spec.id}: ${f}`);
const failed =
  outcomes.length !== TARGETS.length ||
  outcomes.some((o) => o.failures.length > 0 || (o.spec.clients && o.segments === 0));
process.exit(failed ? 1 : 0);

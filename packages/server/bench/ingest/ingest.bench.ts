/**
 * Scenario "ingest": M publishers replay an FLV at real-time rate against nginx-rtmp (the
 * baseline), node-media-server and OnAir, one after the other in the same run, each server in
 * its own process. Prints CPU seconds per stream-minute and RSS per stream as ratios to
 * nginx-rtmp, then OnAir's publish → push callback and TCP close → interruption callback
 * latencies. Ratios, not absolute claims: the machine is shared.
 *
 * Env: INGEST_STREAMS (8), INGEST_SECONDS (30), INGEST_WARMUP_SECONDS (3),
 * INGEST_LATENCY_ROUNDS (2 extra short publish/close rounds on OnAir), INGEST_STOP (abrupt).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startCallbackReceiver } from "./callback-receiver.js";
import { ensureFlvFixture } from "./flv-fixture.js";
import { readFlvFile } from "./flv-reader.js";
import { expectedCallbacksArrived, latencies, percentile } from "./latency.js";
import {
  type LoadResult,
  measureLoad,
  type PublishRound,
  publishAll,
  type StopMode,
  stopAll,
} from "./load-run.js";
import { startNginxRtmp } from "./nginx-target.js";
import { startNodeMediaServer } from "./nms-target.js";
import { startOnAirTarget } from "./onair-process.js";
import type { Target } from "./target.js";

const int = (name: string, fallback: number, min: number, max: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
};
const STREAMS = int("INGEST_STREAMS", 8, 1, 500);
const SECONDS = int("INGEST_SECONDS", 30, 1, 3600);
const WARMUP = int("INGEST_WARMUP_SECONDS", 3, 0, 600);
const LATENCY_ROUNDS = int("INGEST_LATENCY_ROUNDS", 2, 0, 50);
const STOP: StopMode = process.env.INGEST_STOP === "graceful" ? "graceful" : "abrupt";
const CALLBACK_WAIT_MS = 20_000;

const fixture = ensureFlvFixture();
const tags = await readFlvFile(fixture);
const media = tags.filter((t) => t.type === 8 || t.type === 9);
const fileSeconds = (media[media.length - 1]?.timestamp ?? 0) / 1000 || 1;
const kbps = (media.reduce((sum, t) => sum + t.data.length, 0) * 8) / fileSeconds / 1000;

// Bounded however the servers behave: each target gets its window plus generous slack.
const budgetMs = 3 * (WARMUP + SECONDS + 90) * 1000 + LATENCY_ROUNDS * 60_000;
setTimeout(() => {
  console.error(`ingest bench: gave up after ${Math.round(budgetMs / 1000)} s`);
  process.exit(1); // exit handlers kill the servers and remove their directories
}, budgetMs).unref();

const receiver = await startCallbackReceiver();
const names = (label: string) => Array.from({ length: STREAMS }, (_, i) => `${label}-s${i}`);

const targets: { name: string; start: () => Promise<Target> }[] = [
  { name: "nginx-rtmp", start: startNginxRtmp },
  { name: "node-media-server", start: startNodeMediaServer },
  { name: "onair", start: () => startOnAirTarget(receiver.url) },
];
const results: LoadResult[] = [];
const notes: string[] = [];
let onairRounds: PublishRound[] = [];

for (const { name, start } of targets) {
  let target: Target;
  try {
    target = await start();
  } catch (error) {
    notes.push(`${name}: skipped, did not start: ${firstLine(error)}`);
    continue;
  }
  try {
    const result = await measureLoad(target, {
      tags,
      names: names(`${name}-load`),
      warmupSeconds: WARMUP,
      seconds: SECONDS,
      stopMode: STOP,
    });
    results.push(result);
    if (name === "onair") onairRounds = await latencyRounds(target, result);
  } catch (error) {
    notes.push(`${name}: skipped, run failed: ${firstLine(error)}`);
  } finally {
    await target.stop();
  }
}

/** The load run's own publishes and closes, plus short extra rounds for more samples. */
async function latencyRounds(target: Target, load: PublishRound): Promise<PublishRound[]> {
  const rounds = [load];
  if (!(await receiver.waitUntil((e) => expectedCallbacksArrived(load, e), CALLBACK_WAIT_MS))) {
    return rounds; // callbacks are not flowing; extra rounds would only wait the same way
  }
  for (let r = 0; r < LATENCY_ROUNDS; r++) {
    const publishers = await publishAll(target, tags, names(`onair-latency${r}`));
    await sleep(2000);
    const round = await stopAll(publishers, STOP);
    rounds.push(round);
    await receiver.waitUntil((e) => expectedCallbacksArrived(round, e), CALLBACK_WAIT_MS);
  }
  return rounds;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

// --- report -------------------------------------------------------------------------------
const nginx = results.find((r) => r.target === "nginx-rtmp");
const cpuPerStreamMinute = (r: LoadResult) => r.cpuSeconds / (r.streams * (r.windowSeconds / 60));
const rssPerStreamMb = (r: LoadResult) =>
  (r.rssDuringBytes - r.rssBaselineBytes) / r.streams / (1024 * 1024);
// A negative growth is GC noise (a Node heap shrinking after startup), not a measurement.
const ratio = (value: number, base: number | undefined) =>
  base !== undefined && base > 0 && Number.isFinite(value) && value >= 0
    ? `${(value / base).toFixed(2)}×`
    : "n/a";

console.log(
  `scenario "ingest": ${STREAMS} publishers × ${SECONDS} s (after ${WARMUP} s warm-up), ` +
    `640x360 25 fps H.264+AAC at ~${Math.round(kbps)} kbit/s each, real-time, loopback, ` +
    `stop ${STOP} (Node ${process.version})`,
);
const header = [
  "target".padEnd(18),
  "streams".padStart(7),
  "alive".padStart(6),
  "cpu s/stream-min".padStart(17),
  "vs nginx".padStart(9),
  "RSS MB/stream".padStart(14),
  "vs nginx".padStart(9),
  "RSS MB idle→load".padStart(18),
];
console.log(header.join(" "));
for (const r of results) {
  const cpu = cpuPerStreamMinute(r);
  const rss = rssPerStreamMb(r);
  const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
  console.log(
    [
      r.target.padEnd(18),
      String(r.streams).padStart(7),
      String(r.alive).padStart(6),
      cpu.toFixed(4).padStart(17),
      ratio(cpu, nginx && cpuPerStreamMinute(nginx)).padStart(9),
      rss.toFixed(3).padStart(14),
      ratio(rss, nginx && rssPerStreamMb(nginx)).padStart(9),
      `${mb(r.rssBaselineBytes)}→${mb(r.rssDuringBytes)}`.padStart(18),
    ].join(" "),
  );
  if (r.alive < r.streams) notes.push(`${r.target}: ${r.streams - r.alive} streams dropped early`);
  if (rss <= 0) {
    notes.push(`${r.target}: RSS growth is below the noise of its idle RSS; raise INGEST_STREAMS`);
  }
}
if (onairRounds.length > 0) {
  const samples = latencies(onairRounds, receiver.events);
  const line = (label: string, values: number[]) =>
    values.length === 0
      ? `${label}: no callbacks received`
      : `${label}: p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms (n=${values.length})`;
  console.log(line("OnAir publish → push callback (event_type 1)", samples.publishToPush));
  console.log(
    line(
      `OnAir TCP close (${STOP}) → interruption callback (event_type 0)`,
      samples.closeToInterruption,
    ),
  );
  if (samples.missing > 0) notes.push(`onair: ${samples.missing} expected callbacks never arrived`);
}
for (const note of notes) console.log(`note: ${note}`);

await receiver.stop();
process.exit(results.some((r) => r.target === "nginx-rtmp") ? 0 : 1);

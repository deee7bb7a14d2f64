/**
 * Scenario "ingest": M publishers replay an FLV at real-time rate against nginx-rtmp (the
 * baseline), node-media-server and OnAir, one after the other in the same run, each server in
 * its own process, started afresh for each load. The loads are today's small file (640×360 at
 * ~129 kbit/s) and CBR HD files at ~2.5 Mbit/s (720p30), ~6 and ~16 Mbit/s (1080p30), as
 * encoders send them. Per load it prints CPU seconds per stream-minute and RSS per stream as
 * ratios to nginx-rtmp, whether every publisher kept real time (its media time over wall time:
 * a server that reads too slowly holds it back), and OnAir's publish → push callback and TCP
 * close → interruption callback latencies. Ratios, not absolute claims: the machine is shared.
 *
 * Env: INGEST_LOADS (small,2.5,6,16), INGEST_TARGETS (nginx-rtmp,node-media-server,onair),
 * INGEST_STREAMS (8, small file), INGEST_SECONDS (30, small file), INGEST_STREAMS_2M5 (8),
 * INGEST_STREAMS_6M (4), INGEST_STREAMS_16M (2), INGEST_HD_SECONDS (15),
 * INGEST_WARMUP_SECONDS (3), BENCH_STEADY_AFTER_SECONDS (60: when the second, steady window opens;
 * see steady-window.ts), INGEST_LATENCY_ROUNDS (2 extra short publish/close rounds on OnAir
 * per load), INGEST_STOP (abrupt), INGEST_ONAIR_VARIANTS (none: extra OnAir targets with `ingest`
 * settings changed, run beside the default one, e.g. "readCoalesceMs=0;readCoalesceMs=50";
 * `entry=<another build's dist/bench/ingest/onair-target.js>` runs that build instead).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startCallbackReceiver } from "./callback-receiver.js";
import { ensureFlvFixture, ensureHdFixture } from "./flv-fixture.js";
import { type FlvTag, readFlvFile } from "./flv-reader.js";
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
import { STEADY_AFTER_SECONDS, steadyStartSeconds } from "./steady-window.js";
import type { Target } from "./target.js";

const int = (name: string, fallback: number, min: number, max: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
};
const list = (name: string, known: readonly string[]) => {
  const values = (process.env[name] ?? known.join(",")).split(",").map((v) => v.trim());
  const unknown = values.filter((v) => !known.includes(v));
  if (unknown.length > 0 || values.length === 0) {
    throw new Error(`${name} takes a comma-separated subset of ${known.join(",")}`);
  }
  return known.filter((k) => values.includes(k));
};
const WARMUP = int("INGEST_WARMUP_SECONDS", 3, 0, 600);
const HD_SECONDS = int("INGEST_HD_SECONDS", 15, 1, 3600);
const LATENCY_ROUNDS = int("INGEST_LATENCY_ROUNDS", 2, 0, 50);
const STOP: StopMode = process.env.INGEST_STOP === "graceful" ? "graceful" : "abrupt";
const CALLBACK_WAIT_MS = 20_000;
/** Below this media-time/wall-time ratio a publisher did not keep real time (ffmpeg's 0.98×). */
const REAL_TIME = 0.98;
/** Seconds of each HD file; the publishers loop it. */
const HD_FILE_SECONDS = 10;

interface LoadSpec {
  /** Short name, as INGEST_LOADS spells it. */
  id: string;
  streams: number;
  seconds: number;
  picture: string;
  file: () => string;
}

const LOADS: LoadSpec[] = [
  {
    id: "small",
    streams: int("INGEST_STREAMS", 8, 1, 500),
    seconds: int("INGEST_SECONDS", 30, 1, 3600),
    picture: "640x360 25 fps",
    file: ensureFlvFixture,
  },
  ...[
    { id: "2.5", env: "INGEST_STREAMS_2M5", streams: 8, width: 1280, height: 720, mbps: 2.5 },
    { id: "6", env: "INGEST_STREAMS_6M", streams: 4, width: 1920, height: 1080, mbps: 6 },
    { id: "16", env: "INGEST_STREAMS_16M", streams: 2, width: 1920, height: 1080, mbps: 16 },
  ].map(({ id, env, streams, width, height, mbps }) => ({
    id,
    streams: int(env, streams, 1, 500),
    seconds: HD_SECONDS,
    picture: `${width}x${height} 30 fps CBR`,
    file: () => ensureHdFixture({ width, height, mbps, seconds: HD_FILE_SECONDS }),
  })),
];
const TARGETS: { name: string; start: (callbackUrl: string) => Promise<Target> }[] = [
  { name: "nginx-rtmp", start: () => startNginxRtmp() },
  { name: "node-media-server", start: () => startNodeMediaServer() },
  { name: "onair", start: (callbackUrl) => startOnAirTarget(callbackUrl) },
];
/** "a=1,b=2;c=3" → OnAir targets "onair a=1 b=2" and "onair c=3", run right after "onair". */
const VARIANTS = (process.env.INGEST_ONAIR_VARIANTS ?? "")
  .split(";")
  .filter((v) => v.trim() !== "")
  .map((v) => {
    const ingest = Object.fromEntries(
      v.split(",").map((pair) => {
        const [key, value] = pair.split("=").map((x) => x.trim());
        if (!key || !value)
          throw new Error(`INGEST_ONAIR_VARIANTS: "${pair}" is not setting=value`);
        return [key, settingValue(value)];
      }),
    );
    return { name: `onair ${v.replaceAll(",", " ")}`, ingest };
  });
/** "true"/"false" are booleans, numbers are numbers, anything else a string. */
function settingValue(text: string): number | string | boolean {
  if (text === "true" || text === "false") return text === "true";
  return Number.isFinite(Number(text)) ? Number(text) : text;
}
/** A target's name as a stream-name prefix: RTMP stream names here take letters, digits and -. */
const streamLabel = (name: string) => name.replaceAll(/[^a-z0-9]+/gi, "-");
const isOnAir = (name: string) => name === "onair" || name.startsWith("onair ");
const loadIds = list(
  "INGEST_LOADS",
  LOADS.map((l) => l.id),
);
const targetNames = list(
  "INGEST_TARGETS",
  TARGETS.map((t) => t.name),
);
if (targetNames.includes("onair")) {
  for (const variant of VARIANTS) {
    TARGETS.push({ name: variant.name, start: (url) => startOnAirTarget(url, variant) });
    targetNames.push(variant.name);
  }
}

interface Load extends LoadSpec {
  tags: FlvTag[];
  kbps: number;
}

const loads: Load[] = [];
for (const spec of LOADS.filter((l) => loadIds.includes(l.id))) {
  const tags = await readFlvFile(spec.file());
  const media = tags.filter((t) => t.type === 8 || t.type === 9);
  const fileSeconds = (media[media.length - 1]?.timestamp ?? 0) / 1000 || 1;
  const kbps = (media.reduce((sum, t) => sum + t.data.length, 0) * 8) / fileSeconds / 1000;
  loads.push({ ...spec, tags, kbps });
}

// Bounded however the servers behave: each target gets its window plus generous slack.
const budgetMs = loads.reduce(
  (sum, l) =>
    sum +
    targetNames.length * (steadyStartSeconds(WARMUP + l.seconds) + l.seconds + 90) * 1000 +
    LATENCY_ROUNDS * 60_000,
  0,
);
setTimeout(() => {
  console.error(`ingest bench: gave up after ${Math.round(budgetMs / 1000)} s`);
  process.exit(1); // exit handlers kill the servers and remove their directories
}, budgetMs).unref();

const receiver = await startCallbackReceiver();
// No dot in a stream name: node-media-server closes the connection of a publish to "a-2.5".
const names = (load: Load, label: string) =>
  Array.from({ length: load.streams }, (_, i) => `${label}-${load.id.replace(".", "m")}-s${i}`);

interface LoadOutcome {
  load: Load;
  results: LoadResult[];
  /** Publish/close rounds per OnAir target (the default and each variant). */
  onairRounds: Map<string, PublishRound[]>;
}
const outcomes: LoadOutcome[] = [];
const notes: string[] = [];

// Targets interleave within a load, so a noisy stretch of the machine hits all of them alike.
for (const load of loads) {
  const outcome: LoadOutcome = { load, results: [], onairRounds: new Map() };
  outcomes.push(outcome);
  for (const { name, start } of TARGETS.filter((t) => targetNames.includes(t.name))) {
    let target: Target;
    try {
      target = await start(receiver.url);
    } catch (error) {
      notes.push(`${name} @ ${load.id}: skipped, did not start: ${firstLine(error)}`);
      continue;
    }
    try {
      const result = await measureLoad(target, {
        tags: load.tags,
        names: names(load, `${streamLabel(name)}-load`),
        warmupSeconds: WARMUP,
        seconds: load.seconds,
        stopMode: STOP,
      });
      outcome.results.push(result);
      if (isOnAir(name)) {
        outcome.onairRounds.set(name, await latencyRounds(target, load, result, name));
      }
    } catch (error) {
      notes.push(`${name} @ ${load.id}: skipped, run failed: ${firstLine(error)}`);
    } finally {
      await target.stop();
    }
  }
}

/** The load run's own publishes and closes, plus short extra rounds for more samples. */
async function latencyRounds(
  target: Target,
  load: Load,
  first: PublishRound,
  name: string,
): Promise<PublishRound[]> {
  const rounds = [first];
  if (!(await receiver.waitUntil((e) => expectedCallbacksArrived(first, e), CALLBACK_WAIT_MS))) {
    return rounds; // callbacks are not flowing; extra rounds would only wait the same way
  }
  for (let r = 0; r < LATENCY_ROUNDS; r++) {
    const label = `${streamLabel(name)}-latency${r}`;
    const publishers = await publishAll(target, load.tags, names(load, label));
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
type Window = "first" | "steady";
/** The steady window when there is one: the RSS, input rate and lag the report prints. */
const last = (r: LoadResult) => r.steady ?? r.first;
const cpuPerStreamMinute = (r: LoadResult, window: Window) => {
  const w = r[window];
  return w ? w.cpuSeconds / (r.streams * (w.seconds / 60)) : Number.NaN;
};
const rssPerStreamMb = (r: LoadResult) =>
  (last(r).rssDuringBytes - r.rssBaselineBytes) / r.streams / (1024 * 1024);
const speedsOf = (r: LoadResult) => [...r.first.speeds, ...(r.steady?.speeds ?? [])];
// A negative growth is GC noise (a Node heap shrinking after startup), not a measurement.
const ratio = (value: number, base: number | undefined) =>
  base !== undefined && base > 0 && Number.isFinite(value) && value >= 0
    ? `${(value / base).toFixed(2)}×`
    : "n/a";
const minOf = (values: number[]) => Math.min(...values);
const maxOf = (values: number[]) => Math.max(...values);
const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
const latencyText = (values: number[]) =>
  values.length === 0
    ? "no callbacks received"
    : `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms (n=${values.length})`;

console.log(
  `scenario "ingest": real-time publishers on loopback, stop ${STOP}; CPU in a first window ` +
    `${WARMUP} s after publishing starts` +
    (STEADY_AFTER_SECONDS > 0
      ? ` and a steady one ${STEADY_AFTER_SECONDS} s after (or as the first ends)`
      : "") +
    ` (Node ${process.version})`,
);
const NAME_WIDTH = Math.max(18, ...targetNames.map((n) => n.length));
const header = [
  "target".padEnd(NAME_WIDTH),
  "streams".padStart(7),
  "alive".padStart(6),
  "first cpu s/stream-min".padStart(22),
  "vs nginx".padStart(9),
  "steady cpu".padStart(11),
  "vs nginx".padStart(9),
  "RSS MB/stream".padStart(14),
  "vs nginx".padStart(9),
  "RSS MB idle→load".padStart(18),
  "Mbit/s in".padStart(10),
  "speed min".padStart(10),
  "lag max ms".padStart(11),
];
const summary: string[] = [];
for (const { load, results, onairRounds } of outcomes) {
  console.log("");
  console.log(
    `load "${load.id}": ${load.streams} publishers × ${load.seconds} s, ${load.picture} ` +
      `H.264+AAC at ~${Math.round(load.kbps)} kbit/s each`,
  );
  console.log(header.join(" "));
  const nginx = results.find((r) => r.target === "nginx-rtmp");
  const nginxCpu = (window: Window) => nginx && cpuPerStreamMinute(nginx, window);
  for (const r of results) {
    const cpu = cpuPerStreamMinute(r, "first");
    const steadyCpu = cpuPerStreamMinute(r, "steady");
    const rss = rssPerStreamMb(r);
    const speeds = speedsOf(r);
    console.log(
      [
        r.target.padEnd(NAME_WIDTH),
        String(r.streams).padStart(7),
        String(r.alive).padStart(6),
        cpu.toFixed(4).padStart(22),
        ratio(cpu, nginxCpu("first")).padStart(9),
        (r.steady ? steadyCpu.toFixed(4) : "n/a").padStart(11),
        ratio(steadyCpu, nginxCpu("steady")).padStart(9),
        rss.toFixed(3).padStart(14),
        ratio(rss, nginx && rssPerStreamMb(nginx)).padStart(9),
        `${mb(r.rssBaselineBytes)}→${mb(last(r).rssDuringBytes)}`.padStart(18),
        ((last(r).bytesPerSecond * 8) / 1e6).toFixed(1).padStart(10),
        `${minOf(speeds).toFixed(3)}×`.padStart(10),
        maxOf(r.lagsMs).toFixed(0).padStart(11),
      ].join(" "),
    );
    const behind = speeds.filter((s) => s < REAL_TIME).length;
    if (behind > 0) {
      notes.push(
        `${r.target} @ ${load.id}: ${behind} publisher-windows below ${REAL_TIME}× real ` +
          `time (min ${minOf(speeds).toFixed(3)}×, lag up to ${maxOf(r.lagsMs).toFixed(0)} ms)`,
      );
    }
    if (r.alive < r.streams) {
      const reason = r.publishers.find((p) => p.failure !== null)?.failure;
      notes.push(
        `${r.target} @ ${load.id}: ${r.streams - r.alive} streams dropped early (first: ${reason})`,
      );
    }
    if (rss <= 0) {
      notes.push(
        `${r.target} @ ${load.id}: RSS growth is below the noise of its idle RSS; more streams`,
      );
    }
  }
  let closeText = "n/a";
  for (const [name, rounds] of onairRounds) {
    const samples = latencies(rounds, receiver.events);
    const label = name === "onair" ? "OnAir" : `OnAir (${name.slice("onair ".length)})`;
    console.log(
      `${label} publish → push callback (event_type 1): ${latencyText(samples.publishToPush)}`,
    );
    const text = latencyText(samples.closeToInterruption);
    if (name === "onair") closeText = text;
    console.log(`${label} TCP close (${STOP}) → interruption callback (event_type 0): ${text}`);
    if (samples.missing > 0) {
      notes.push(`${name} @ ${load.id}: ${samples.missing} expected callbacks never arrived`);
    }
  }
  const cell = (name: string, render: (r: LoadResult) => string) => {
    const r = results.find((x) => x.target === name);
    return r ? render(r) : "n/a";
  };
  const cpuRatio = (r: LoadResult) =>
    `${ratio(cpuPerStreamMinute(r, "first"), nginxCpu("first"))} / ` +
    ratio(cpuPerStreamMinute(r, "steady"), nginxCpu("steady"));
  const speed = (r: LoadResult) => `${minOf(speedsOf(r)).toFixed(2)}×`;
  summary.push(
    `| ${load.id === "small" ? `small (~${Math.round(load.kbps)} kbit/s)` : `${load.id} Mbit/s`} ` +
      `| ${load.streams} × ${load.seconds} s ` +
      `| ${cell("onair", cpuRatio)} | ${cell("node-media-server", cpuRatio)} ` +
      `| ${cell("onair", speed)} / ${cell("nginx-rtmp", speed)} / ${cell("node-media-server", speed)} ` +
      `| ${closeText.replace(/ \(n=\d+\)/, "")} |`,
  );
}
console.log("");
console.log(
  "| load | streams × s | OnAir CPU vs nginx, first / steady | NMS CPU vs nginx, first / steady | slowest publisher OnAir / nginx / NMS | OnAir close → interruption |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const line of summary) console.log(line);
for (const note of notes) console.log(`note: ${note}`);

await receiver.stop();
process.exit(outcomes.some((o) => o.results.some((r) => r.target === "nginx-rtmp")) ? 0 : 1);

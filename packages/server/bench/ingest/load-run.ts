/**
 * One measured run against one target: M publishers at real-time rate, the target tree's CPU
 * over a first window after a warm-up and a steady one later (steady-window.ts), and its RSS
 * before publishing vs during each window.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { FlvTag } from "./flv-reader.js";
import { treeRssBytes } from "./proc-tree.js";
import { type Publisher, startPublisher } from "./rtmp-load-publisher.js";
import { type CpuWindow, cpuWindow, firstAndSteady } from "./steady-window.js";
import type { Target } from "./target.js";

export type StopMode = "graceful" | "abrupt";

export interface PublishRound {
  publishers: Publisher[];
  /** performance.now() of each publisher's TCP close, by stream name. */
  closedAt: Map<string, number>;
}

export interface LoadWindow extends CpuWindow {
  /** Median RSS of the target's tree, sampled once a second. */
  rssDuringBytes: number;
  /**
   * Each publisher's media time over wall time in the window (1 is real time; a server that
   * reads too slowly holds its publishers back and this falls below 1).
   */
  speeds: number[];
  /** Bytes all publishers wrote in the window, per second. */
  bytesPerSecond: number;
}

export interface LoadResult extends PublishRound {
  target: string;
  streams: number;
  /** Publishers still connected at the end of the last window. */
  alive: number;
  rssBaselineBytes: number;
  first: LoadWindow;
  /** Null when BENCH_STEADY_AFTER_SECONDS is 0. */
  steady: LoadWindow | null;
  /** Each publisher's lag behind real time at the end of the last window, in ms. */
  lagsMs: number[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Starts `count` publishers on app "live"; all or nothing, so a run never measures fewer. */
export async function publishAll(
  target: Target,
  tags: readonly FlvTag[],
  names: string[],
): Promise<Publisher[]> {
  const settled = await Promise.allSettled(
    names.map((stream) =>
      startPublisher({ host: "127.0.0.1", port: target.rtmpPort, app: "live", stream, tags }),
    ),
  );
  const started = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
  if (failed.length > 0) {
    await Promise.all(started.map((p) => p.stop("abrupt")));
    throw new Error(`${failed.length}/${names.length} publishes failed, first: ${failed[0]}`);
  }
  return started;
}

export async function stopAll(publishers: Publisher[], mode: StopMode): Promise<PublishRound> {
  const closedAt = new Map<string, number>();
  await Promise.all(publishers.map(async (p) => void closedAt.set(p.stream, await p.stop(mode))));
  return { publishers, closedAt };
}

export async function measureLoad(
  target: Target,
  options: {
    tags: readonly FlvTag[];
    names: string[];
    warmupSeconds: number;
    seconds: number;
    stopMode: StopMode;
  },
): Promise<LoadResult> {
  await sleep(2000); // let the target finish starting (and a Node heap settle) first
  const baseline: number[] = [];
  for (let i = 0; i < 5; i++) {
    baseline.push(treeRssBytes(target.pid));
    await sleep(200);
  }
  const publishers = await publishAll(target, options.tags, options.names);
  // The warm-up: the first GOPs are not what a stream costs.
  const { first, steady } = await firstAndSteady(options.warmupSeconds, () =>
    loadWindow(target, publishers, options.seconds),
  );
  const ended = performance.now();
  const lagsMs = publishers.map((p) => Math.max(0, ended - p.mediaStartedAt - p.mediaMs));
  const alive = publishers.filter((p) => p.failure === null).length;
  const round = await stopAll(publishers, options.stopMode);
  return {
    ...round,
    target: target.name,
    streams: publishers.length,
    alive,
    rssBaselineBytes: median(baseline),
    first,
    steady,
    lagsMs,
  };
}

async function loadWindow(
  target: Target,
  publishers: Publisher[],
  seconds: number,
): Promise<LoadWindow> {
  const mediaBefore = publishers.map((p) => p.mediaMs);
  const bytesBefore = publishers.reduce((sum, p) => sum + p.bytesSent, 0);
  const samples: number[] = [];
  const window = await cpuWindow(target.pid, seconds, () => samples.push(treeRssBytes(target.pid)));
  const bytesSent = publishers.reduce((sum, p) => sum + p.bytesSent, 0) - bytesBefore;
  return {
    ...window,
    rssDuringBytes: median(samples),
    speeds: publishers.map((p, i) => (p.mediaMs - mediaBefore[i]!) / (window.seconds * 1000)),
    bytesPerSecond: bytesSent / window.seconds,
  };
}

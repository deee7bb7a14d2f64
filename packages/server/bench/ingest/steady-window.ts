/**
 * The two CPU windows the ingest, relay and HLS benches report. "first" starts after a short
 * warm-up; "steady" starts once the load has run BENCH_STEADY_AFTER_SECONDS (60; 0 leaves it
 * out). A freshly started Node process spends its first minute or so tiering its JIT up and
 * growing its heap, a cost nginx-rtmp (C) never pays and a long-running server pays once; so the
 * first window says what a server costs just after it starts and the steady one what it costs
 * for the rest of a stream's life. Both windows are equally long and every target, nginx-rtmp
 * included, is measured the same way.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { treeCpuSeconds } from "./proc-tree.js";

const text = process.env.BENCH_STEADY_AFTER_SECONDS?.trim();
const raw = text ? Number(text) : 60;
if (!Number.isInteger(raw) || raw < 0 || raw > 3600) {
  throw new Error("BENCH_STEADY_AFTER_SECONDS must be an integer in [0, 3600]");
}
/** Seconds of load before the steady window opens; 0 when there is no steady window. */
export const STEADY_AFTER_SECONDS = raw;

export interface CpuWindow {
  /** CPU seconds the target's process tree used in the window. */
  cpuSeconds: number;
  /** Wall seconds the window lasted. */
  seconds: number;
}

/** CPU of `pid`'s tree over `seconds`; `tick` runs about once a second (e.g. to sample RSS). */
export async function cpuWindow(
  pid: number,
  seconds: number,
  tick: () => void = () => {},
): Promise<CpuWindow> {
  const cpuBefore = treeCpuSeconds(pid);
  const started = performance.now();
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    tick();
  }
  return {
    cpuSeconds: treeCpuSeconds(pid) - cpuBefore,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Call once the load has begun: runs `measure` (one window) after `warmupSeconds`, then again
 * once the load has run STEADY_AFTER_SECONDS, or as soon as the first ends if that is later
 * (`steadyStartSeconds`); no second run when it is 0.
 */
export async function firstAndSteady<T>(
  warmupSeconds: number,
  measure: () => Promise<T>,
): Promise<{ first: T; steady: T | null }> {
  const loadStartedAt = performance.now();
  await sleep(warmupSeconds * 1000);
  const first = await measure();
  if (STEADY_AFTER_SECONDS === 0) return { first, steady: null };
  await sleep(Math.max(0, loadStartedAt + STEADY_AFTER_SECONDS * 1000 - performance.now()));
  return { first, steady: await measure() };
}

/** When the steady window opens, in seconds of load, for a first window ending at `firstEnd`. */
export const steadyStartSeconds = (firstEnd: number) => Math.max(STEADY_AFTER_SECONDS, firstEnd);

/** Headings naming when each window opens, for a first window of `seconds` after `warmup`. */
export function windowLabels(warmup: number, seconds: number): { first: string; steady: string } {
  return {
    first: `first (after ${warmup} s)`,
    steady: `steady (after ${steadyStartSeconds(warmup + seconds)} s)`,
  };
}

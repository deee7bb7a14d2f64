import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";

/**
 * A batch is one transaction; on SQLite the dispatcher's writes commit in the same group commit
 * or wait for it. Batches that take longer than this are halved (down to MIN_BATCH), quicker ones
 * grow back toward `retention.batchSize`: a large, cold database gets small batches.
 */
const BATCH_TARGET_MS = 25;
const MIN_BATCH = 10;
/** Viewer statistics removed per statement: ten minutes of samples, the oldest first. */
const PLAY_SAMPLE_SPAN_MS = 10 * 60_000;

export interface HistorySweep {
  /** Sweeps every `retention.sweepIntervalMs` (nothing when all history is kept forever). */
  start(): void;
  /** Stops the timer and waits for a running sweep to finish its batch. */
  stop(): Promise<void>;
  /**
   * One sweep now, batch after batch until nothing is left or another node holds the sweep;
   * then the viewer statistics past `retention.playStatsMaxAgeMs`.
   */
  sweep(): Promise<{ events: number; deliveries: number; attempts: number; playSamples: number }>;
}

/**
 * Retention of event history (docs/scale.md, "Retention"): removes delivered events, their
 * deliveries and attempts, older than `retention.deliveredMaxAgeMs` (dead ones past
 * `retention.deadMaxAgeMs`, when set), in small transactions with a pause between, at least as
 * long as the batch took (the sweep holds the store at most half the time), so the dispatcher's
 * claims and attempt records never wait behind one long delete. Each batch is taken by one node
 * at a time (`store.history.sweepBatch`); a node that finds the sweep held skips the round.
 */
export function createHistorySweep(deps: {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
}): HistorySweep {
  const settings = deps.config.retention;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | null = null;
  let stopped = false;

  const keepsAll = () => settings.deliveredMaxAgeMs === 0 && settings.playStatsMaxAgeMs === 0;

  async function sweep() {
    const total = { events: 0, deliveries: 0, attempts: 0, playSamples: 0 };
    await sweepEvents(total);
    await sweepPlaySamples(total);
    return total;
  }

  async function sweepEvents(total: { events: number; deliveries: number; attempts: number }) {
    if (settings.deliveredMaxAgeMs === 0) return;
    const now = deps.clock.now().getTime();
    const deliveredBefore = new Date(now - settings.deliveredMaxAgeMs);
    const deadBefore = settings.deadMaxAgeMs ? new Date(now - settings.deadMaxAgeMs) : null;
    let fromMs = 0;
    let limit = settings.batchSize;
    while (!stopped) {
      const started = performance.now();
      const batch = await deps.store.history.sweepBatch({
        deliveredBefore,
        deadBefore,
        fromMs,
        limit,
      });
      const tookMs = performance.now() - started;
      if (!batch) break; // another node is sweeping
      total.events += batch.events;
      total.deliveries += batch.deliveries;
      total.attempts += batch.attempts;
      if (batch.events < limit) break;
      fromMs = batch.lastCreatedAtMs;
      if (tookMs > BATCH_TARGET_MS) limit = Math.max(MIN_BATCH, Math.floor(limit / 2));
      else if (tookMs < BATCH_TARGET_MS / 2) limit = Math.min(settings.batchSize, limit * 2);
      await sleep(Math.max(settings.batchPauseMs, tookMs));
    }
  }

  /**
   * Idempotent, so every node may run it: nodes sweeping at once delete the same rows. Ten
   * minutes of samples per statement, with the batches' pause between.
   */
  async function sweepPlaySamples(total: { playSamples: number }) {
    if (settings.playStatsMaxAgeMs === 0) return;
    const before = new Date(deps.clock.now().getTime() - settings.playStatsMaxAgeMs);
    while (!stopped) {
      const started = performance.now();
      const removed = await deps.store.playSamples.deleteOldest({
        before,
        spanMs: PLAY_SAMPLE_SPAN_MS,
      });
      if (removed === 0) return;
      total.playSamples += removed;
      await sleep(Math.max(settings.batchPauseMs, performance.now() - started));
    }
  }

  return {
    sweep,
    start() {
      if (keepsAll()) return;
      timer = setInterval(() => {
        if (running) return;
        running = sweep()
          .then((removed) => {
            if (removed.events || removed.playSamples)
              deps.logger.info(removed, "history past retention removed");
          })
          .catch((err: unknown) => deps.logger.error({ err }, "history sweep failed"))
          .finally(() => {
            running = null;
          });
      }, settings.sweepIntervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";

export interface HistorySweep {
  /** Sweeps every `retention.sweepIntervalMs` (nothing when delivered history is kept forever). */
  start(): void;
  /** Stops the timer and waits for a running sweep to finish its batch. */
  stop(): Promise<void>;
  /** One sweep now, batch after batch until nothing is left or another node holds the sweep. */
  sweep(): Promise<{ events: number; deliveries: number; attempts: number }>;
}

/**
 * Retention of event history (docs/scale.md, "Retention"): removes delivered events, their
 * deliveries and attempts, older than `retention.deliveredMaxAgeMs` (dead ones past
 * `retention.deadMaxAgeMs`, when set), in small transactions with a pause between, so the
 * dispatcher's claims and attempt records never wait behind one long delete. Each batch is taken
 * by one node at a time (`store.history.sweepBatch`); a node that finds the sweep held skips.
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

  async function sweep() {
    const total = { events: 0, deliveries: 0, attempts: 0 };
    if (settings.deliveredMaxAgeMs === 0) return total;
    const now = deps.clock.now().getTime();
    const deliveredBefore = new Date(now - settings.deliveredMaxAgeMs);
    const deadBefore = settings.deadMaxAgeMs ? new Date(now - settings.deadMaxAgeMs) : null;
    let fromMs = 0;
    while (!stopped) {
      const batch = await deps.store.history.sweepBatch({
        deliveredBefore,
        deadBefore,
        fromMs,
        limit: settings.batchSize,
      });
      if (!batch) break; // another node is sweeping
      total.events += batch.events;
      total.deliveries += batch.deliveries;
      total.attempts += batch.attempts;
      if (batch.events < settings.batchSize) break;
      fromMs = batch.lastCreatedAtMs;
      if (settings.batchPauseMs) await sleep(settings.batchPauseMs);
    }
    return total;
  }

  return {
    sweep,
    start() {
      if (settings.deliveredMaxAgeMs === 0) return;
      timer = setInterval(() => {
        if (running) return;
        running = sweep()
          .then((removed) => {
            if (removed.events) deps.logger.info(removed, "event history past retention removed");
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

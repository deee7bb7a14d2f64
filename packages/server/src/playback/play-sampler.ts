import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";
import type { ViewerStats } from "./viewer-stats.js";

export interface PlaySampler {
  /** Writes a sample at every multiple of the interval (wall-clock aligned). */
  start(): void;
  /** Stops the timer and writes what the current interval has so far. */
  stop(): Promise<void>;
  /** Writes the current interval now (its end: `at`); resolves when it is committed. */
  sample(at: number): Promise<void>;
}

/**
 * Writes this node's viewer statistics to the store (`store.playSamples`, docs/playback.md,
 * "Viewer statistics"): every `intervalMs` (`playback.statsIntervalMs`, a divisor of a minute,
 * at its multiples so no interval spans two minutes) one batch of rows, one per play domain,
 * stream and protocol with viewers, in one transaction, whatever the number of viewer events.
 * A batch the store refuses is logged and dropped: statistics must not hold memory or playback
 * up while the store is down.
 */
export function createPlaySampler(deps: {
  store: Store;
  stats: ViewerStats;
  nodeId: string;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
}): PlaySampler {
  const { intervalMs } = deps;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastAt = 0;
  let writing: Promise<void> = Promise.resolve();

  function sample(at: number): Promise<void> {
    // Two samples of a node never share an instant (the table's key).
    const end = Math.max(at, lastAt + 1);
    lastAt = end;
    const rows = deps.stats.drain();
    writing = writing
      .then(() => deps.store.playSamples.append({ node: deps.nodeId, at: new Date(end), rows }))
      .catch((err: unknown) =>
        deps.logger.warn({ err, rows: rows.length }, "viewer statistics sample not stored"),
      );
    return writing;
  }

  function schedule() {
    if (stopped) return;
    const now = deps.clock.now().getTime();
    const next = (Math.floor(now / intervalMs) + 1) * intervalMs;
    timer = setTimeout(() => {
      void sample(next);
      schedule();
    }, next - now);
    timer.unref();
  }

  return {
    sample,
    start: schedule,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await sample(deps.clock.now().getTime());
    },
  };
}

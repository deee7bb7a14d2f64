import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";
import type { OperatorAlerts } from "./operator-alerts.js";

/** The alert_state row of the queue-age alert. */
const QUEUE_AGE = "queue_age";

/**
 * Checks, every `checkIntervalMs`, how old the queue's oldest pending delivery is and raises the
 * queue-age alert once when it reaches `thresholdMs` and once when it is back under (docs/alerts.md).
 * Every node checks; the store's compare-and-set on the alert's state lets one of them tell.
 */
export function startQueueAgeMonitor(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  alerts: OperatorAlerts;
  thresholdMs: number;
  checkIntervalMs: number;
}): { check(): Promise<void>; stop(): Promise<void> } {
  const { store, clock, alerts, thresholdMs } = deps;
  async function check(): Promise<void> {
    const now = clock.now();
    const age = await store.deliveries.oldestPendingAgeMs(now);
    const exceeded = age !== null && age >= thresholdMs;
    const record = alerts.record(
      exceeded
        ? { alert: "queue_age_exceeded", oldest_pending_age_ms: age, threshold_ms: thresholdMs }
        : { alert: "queue_age_recovered", oldest_pending_age_ms: age, threshold_ms: thresholdMs },
    );
    const changed = await store.alerts.transition({
      name: QUEUE_AGE,
      initial: "ok",
      state: exceeded ? "exceeded" : "ok",
      at: now,
      alert: record,
    });
    if (changed) alerts.told(record);
  }
  // The check in flight, so stop() lets it finish before the store closes.
  let running: Promise<void> | null = null;
  const timer =
    thresholdMs > 0
      ? setInterval(() => {
          running ??= check()
            .catch((err: unknown) => deps.logger.error({ err }, "queue-age check failed"))
            .finally(() => {
              running = null;
            });
        }, deps.checkIntervalMs)
      : undefined;
  timer?.unref();
  return {
    check,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { IdGenerator } from "../domain/ids.js";
import { type AlertRecord, alertRecord, type OperatorAlert } from "../domain/operator-alert.js";
import { presetPolicy } from "../domain/retry-policy.js";
import type { NodeEvents } from "../observability/node-events.js";

/**
 * Makes and announces operator alerts (docs/alerts.md). The caller commits the record in the
 * transaction of the change it tells of (so a restart loses neither), then calls `told`: the
 * log line, and "event.committed" on the node's bus (the dispatcher wakes, the dashboard shows
 * it).
 */
export interface OperatorAlerts {
  /**
   * The alert's event and, with `alerts.url`, its delivery. `aboutAlertUrl`: the alert tells of
   * the alert endpoint itself, so it is stored and shown but not sent there (no loop).
   */
  record(alert: OperatorAlert, options?: { aboutAlertUrl?: boolean }): AlertRecord;
  /** After the record committed. */
  told(record: AlertRecord): void;
  /** Whether `url` is where alerts go. */
  isAlertUrl(url: string): boolean;
  /** The keys alert deliveries are signed with. */
  readonly keys: readonly string[];
}

export function createOperatorAlerts(deps: {
  config: OnAirConfig;
  clock: Clock;
  newId: IdGenerator;
  nodeId: string;
  nodeEvents: NodeEvents;
  logger: Logger;
}): OperatorAlerts {
  const { url, key } = deps.config.alerts;
  return {
    record(alert, options = {}) {
      return alertRecord(alert, {
        url: options.aboutAlertUrl ? undefined : url,
        policy: presetPolicy(deps.config.retryPreset, 0),
        appid: deps.config.appid,
        nodeId: deps.nodeId,
        now: deps.clock.now(),
        newId: deps.newId,
      });
    },
    told(record) {
      deps.logger.warn(
        {
          alert: record.event.body.alert,
          eventId: record.event.id,
          sent: record.deliveries.length > 0,
        },
        `operator alert: ${String(record.event.body.message)}`,
      );
      deps.nodeEvents.emit("event.committed", {
        ...record.event,
        deliveryIds: record.deliveries.map((d) => d.id),
      });
    },
    isAlertUrl: (candidate) => url !== undefined && candidate === url,
    keys: key ? [key] : [],
  };
}

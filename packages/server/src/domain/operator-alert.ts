import type { RetryPolicy, StoredEvent } from "./types.js";

/**
 * The `event_type` of an operator alert (docs/alerts.md): an OnAir extension, far outside the
 * numbers Tencent's callbacks use (0 to 341, `EventType` of @onair/callbacks), so no receiver
 * of stream events can mistake one for its own.
 */
export const OPERATOR_ALERT_EVENT_TYPE = 9000;

/**
 * The `template_id` of an alert's delivery: no template (ids start at 1). The dispatcher signs
 * these with `alerts.key` and never lets them change an endpoint's health.
 */
export const OPERATOR_ALERT_TEMPLATE_ID = 0;

/** What an operator is told about, as the `alert` field of the body says. */
export type OperatorAlert =
  | { alert: "endpoint_disabled"; url: string; reason: string }
  | { alert: "endpoint_enabled"; url: string }
  | {
      alert: "delivery_dead";
      url: string;
      delivery_id: string;
      event_id: string;
      delivery_event_type: number;
      attempts: number;
      last_error: string;
    }
  | { alert: "queue_age_exceeded"; oldest_pending_age_ms: number; threshold_ms: number }
  | { alert: "queue_age_recovered"; oldest_pending_age_ms: number | null; threshold_ms: number };

export type OperatorAlertKind = OperatorAlert["alert"];

/** An alert as the outbox takes it: the event and its one delivery (none without a URL). */
export interface AlertRecord {
  event: StoredEvent;
  deliveries: {
    id: string;
    templateId: number;
    url: string;
    policy: RetryPolicy;
    orderingKey: string | null;
  }[];
}

/** One line a person reads in the log, the dashboard or a chat the receiver forwards to. */
export function alertMessage(alert: OperatorAlert): string {
  switch (alert.alert) {
    case "endpoint_disabled":
      return `callback endpoint ${alert.url} disabled (${alert.reason})`;
    case "endpoint_enabled":
      return `callback endpoint ${alert.url} enabled again`;
    case "delivery_dead":
      return `delivery ${alert.delivery_id} to ${alert.url} is dead after ${alert.attempts} attempt${alert.attempts === 1 ? "" : "s"} (${alert.last_error})`;
    case "queue_age_exceeded":
      return `oldest pending delivery is ${Math.round(alert.oldest_pending_age_ms / 1000)} s old (threshold ${Math.round(alert.threshold_ms / 1000)} s)`;
    case "queue_age_recovered":
      return `pending deliveries are back under ${Math.round(alert.threshold_ms / 1000)} s old`;
  }
}

/**
 * The stored event of an alert and, when `url` is set, its delivery. The body (docs/alerts.md)
 * carries `appid`, the node, the time in Unix seconds and a `message`, then the alert's own
 * fields; `t` and `sign` are added at send time, as for every callback.
 */
export function alertRecord(
  alert: OperatorAlert,
  ctx: {
    url: string | undefined;
    policy: RetryPolicy;
    appid: number;
    nodeId: string;
    now: Date;
    newId: (prefix: string) => string;
  },
): AlertRecord {
  const id = ctx.newId("evt");
  const body = {
    event_type: OPERATOR_ALERT_EVENT_TYPE,
    appid: ctx.appid,
    node: ctx.nodeId,
    alert_time: Math.floor(ctx.now.getTime() / 1000),
    message: alertMessage(alert),
    ...alert,
  };
  return {
    event: {
      id,
      eventType: OPERATOR_ALERT_EVENT_TYPE,
      domainName: "",
      appName: "",
      streamId: "",
      body,
      source: "alert",
      createdAt: ctx.now,
    },
    deliveries: ctx.url
      ? [
          {
            id: ctx.newId("msg"),
            templateId: OPERATOR_ALERT_TEMPLATE_ID,
            url: ctx.url,
            policy: ctx.policy,
            orderingKey: null,
          },
        ]
      : [],
  };
}

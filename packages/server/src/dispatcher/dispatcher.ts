import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { newId } from "../domain/ids.js";
import { OPERATOR_ALERT_TEMPLATE_ID } from "../domain/operator-alert.js";
import { afterFailure } from "../domain/retry-policy.js";
import type { Metrics } from "../observability/metrics.js";
import type { NodeEvents } from "../observability/node-events.js";
import { type ClaimedDelivery, deliveryOrigin, type Store } from "../store/store.js";
import { type AttemptOutcome, createCallbackSender } from "./callback-sender.js";
import { createFailureLog } from "./failure-log.js";
import { createOperatorAlerts, type OperatorAlerts } from "./operator-alerts.js";
import type { guardedLookup } from "./ssrf-guard.js";

export interface Dispatcher {
  /**
   * Starts polling. It also claims at once when the node's bus tells of an event committed with
   * deliveries or of requeued deliveries, instead of at the next poll.
   */
  start(): void;
  /** Stops claiming, lets in-flight attempts finish (bounded), releases this node's leases. */
  stop(): Promise<void>;
}

/**
 * The delivery loop: claims due deliveries under a lease, POSTs them with a fresh `t`/`sign` and
 * the same `webhook-id` every attempt, records each attempt, and schedules the retry or declares
 * the delivery dead. Success is HTTP 200 exactly (Tencent: "应答 HTTP STATUS 不为200" is a failure).
 */
export function createDispatcher(deps: {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  nodeId: string;
  /** The node's bus: what wakes the dispatcher, and where it tells of each attempt. */
  nodeEvents: NodeEvents;
  random?: () => number;
  /** Name resolution for the SSRF guard (tests inject one to simulate rebinding). */
  lookup?: Parameters<typeof guardedLookup>[1];
  /** Operator alerts (default: made from the config). */
  alerts?: OperatorAlerts;
}): Dispatcher {
  const { store, config, clock, logger, metrics } = deps;
  const alerts = deps.alerts ?? createOperatorAlerts({ ...deps, newId });
  const settings = config.dispatcher;
  const random = deps.random ?? Math.random;
  const owner = `${deps.nodeId}:${Math.floor(random() * 1e9).toString(36)}`;
  const sender = createCallbackSender({
    callbackAllowPrivate: config.callbackAllowPrivate,
    nodeId: deps.nodeId,
    connectionsPerOrigin: settings.perOriginConcurrency,
    responseSnippetBytes: settings.responseSnippetBytes,
    lookup: deps.lookup,
  });
  const failureLog = createFailureLog(logger);
  const inFlight = new Set<Promise<void>>();
  // Fairness per origin, as Svix and Convoy cap concurrency per endpoint: an origin holds at most
  // `perOriginConcurrency` of this node's `concurrency` slots, and the claim skips an origin at its
  // cap, so a receiver that hangs until the timeout never delays the others' deliveries.
  const inFlightByOrigin = new Map<string, number>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let looping = false;
  let wakeRequested = false;
  let stopping: Promise<void> | undefined;

  function attempt(claimed: ClaimedDelivery): Promise<AttemptOutcome> {
    const { delivery, event } = claimed;
    return sender.send({
      url: delivery.url,
      body: event.body,
      keys: delivery.templateId === OPERATOR_ALERT_TEMPLATE_ID ? alerts.keys : claimed.keys,
      webhookId: delivery.id,
      timeoutMs: delivery.policy.timeoutMs,
      now: clock.now(),
    });
  }

  async function process(claimed: ClaimedDelivery): Promise<void> {
    const { delivery } = claimed;
    // An alert's delivery never waits on, nor changes, an endpoint's health: alerts about the
    // alert endpoint would go nowhere, and it must not disable itself.
    const isAlert = delivery.templateId === OPERATOR_ALERT_TEMPLATE_ID;
    const endpoint = isAlert ? null : await store.endpoints.get(delivery.url);
    const startedAt = clock.now();
    const started = performance.now();
    const outcome: AttemptOutcome = endpoint?.disabledAt
      ? {
          requestBody: "",
          statusCode: null,
          errorCode: "endpoint_disabled",
          errorMessage: "endpoint disabled",
          responseSnippet: null,
          retryAfterMs: undefined,
        }
      : await attempt(claimed);
    const durationMs = performance.now() - started;
    const attemptsMade = delivery.attempts + 1;
    const now = clock.now();
    const next =
      outcome.errorCode === null
        ? "delivered"
        : afterFailure({
            policy: delivery.policy,
            attemptsMade,
            now,
            random,
            retryAfterMs: outcome.retryAfterMs,
            maxRetryAfterMs: settings.maxRetryAfterMs,
          });
    // Deliveries of a disabled endpoint die quietly: its disable alert already told of them.
    const deadAlert =
      next === "dead" && !isAlert && outcome.errorCode !== "endpoint_disabled"
        ? alerts.record(
            {
              alert: "delivery_dead",
              url: delivery.url,
              delivery_id: delivery.id,
              event_id: delivery.eventId,
              delivery_event_type: claimed.event.eventType,
              attempts: attemptsMade,
              last_error: `${outcome.errorCode}: ${outcome.errorMessage ?? ""}`.trim(),
            },
            { aboutAlertUrl: alerts.isAlertUrl(delivery.url) },
          )
        : undefined;
    const kept = await store.deliveries.recordAttempt({
      deliveryId: delivery.id,
      owner: claimed.leaseOwner,
      attempt: { startedAt, durationMs, ...outcome },
      next,
      alertIfDead: deadAlert,
    });
    if (kept && deadAlert) alerts.told(deadAlert);
    const outcomeLabel = next === "delivered" ? "delivered" : next === "dead" ? "dead" : "retry";
    deps.nodeEvents.emit("delivery.attempted", {
      deliveryId: delivery.id,
      url: delivery.url,
      eventType: claimed.event.eventType,
      outcome: outcomeLabel,
      leaseLost: !kept,
      statusCode: outcome.statusCode,
      errorCode: outcome.errorCode,
      durationMs,
    });
    logger[next === "dead" ? "warn" : "debug"](
      {
        deliveryId: delivery.id,
        url: delivery.url,
        attempt: attemptsMade,
        status: outcome.statusCode,
        error: outcome.errorCode,
        next: outcomeLabel,
        leaseKept: kept,
      },
      "callback attempt",
    );
    if (kept && outcome.errorCode !== null && outcome.errorCode !== "endpoint_disabled") {
      failureLog.failed({
        url: delivery.url,
        deliveryId: delivery.id,
        errorCode: outcome.errorCode,
        errorMessage: outcome.errorMessage,
        statusCode: outcome.statusCode,
        nextAttemptAt: next instanceof Date ? next : null,
      });
    }
    if (outcome.errorCode === null) failureLog.succeeded(delivery.url);
    if (outcome.errorCode === "endpoint_disabled" || isAlert) return;
    if (outcome.errorCode === null) {
      // Only a failing endpoint has state to clear: a healthy one costs no write.
      if (endpoint?.failingSince) await store.endpoints.markSuccess(delivery.url);
      return;
    }
    const state = await store.endpoints.markFailure(delivery.url, now);
    const failingFor = state.failingSince ? now.getTime() - state.failingSince.getTime() : 0;
    if (
      settings.disableEndpointAfterMs > 0 &&
      failingFor >= settings.disableEndpointAfterMs &&
      !state.disabledAt
    ) {
      const reason = `failing for ${Math.round(failingFor / 1000)} s`;
      const alert = alerts.record(
        { alert: "endpoint_disabled", url: delivery.url, reason },
        { aboutAlertUrl: alerts.isAlertUrl(delivery.url) },
      );
      // Several nodes may see the same failure run end: the one whose call disabled it tells.
      if (!(await store.endpoints.disable(delivery.url, now, reason, alert))) return;
      alerts.told(alert);
      metrics.endpointsDisabled.inc();
      logger.warn(
        { url: delivery.url, failingForMs: failingFor },
        "callback endpoint disabled after sustained failure",
      );
    }
  }

  /** The running claim loop: stop() awaits it, so no claim outlives the store. */
  let currentLoop: Promise<void> = Promise.resolve();
  function loop(): Promise<void> {
    if (looping) {
      wakeRequested = true;
      return currentLoop;
    }
    looping = true;
    currentLoop = claimLoop();
    return currentLoop;
  }

  async function claimLoop(): Promise<void> {
    try {
      do {
        wakeRequested = false;
        const free = settings.concurrency - inFlight.size;
        if (!running || free <= 0) break;
        const claimed = await store.deliveries.claimDue({
          owner,
          now: clock.now(),
          leaseMs: settings.leaseMs,
          limit: Math.min(free, settings.batchSize),
          perOriginLimit: settings.perOriginConcurrency,
          inFlightByOrigin,
        });
        // Stopped during the claim: the rows stay leased to us and stop() releases them.
        if (!running) break;
        for (const c of claimed) {
          const origin = deliveryOrigin(c.delivery.url);
          inFlightByOrigin.set(origin, (inFlightByOrigin.get(origin) ?? 0) + 1);
          const task = process(c)
            .catch((err: unknown) =>
              logger.error({ err, deliveryId: c.delivery.id }, "delivery failed unexpectedly"),
            )
            .finally(() => {
              inFlight.delete(task);
              const left = (inFlightByOrigin.get(origin) ?? 1) - 1;
              if (left > 0) inFlightByOrigin.set(origin, left);
              else inFlightByOrigin.delete(origin);
              if (running) void loop();
            });
          inFlight.add(task);
        }
        if (claimed.length === Math.min(free, settings.batchSize)) wakeRequested = true;
      } while (wakeRequested && running);
    } catch (err) {
      logger.error({ err }, "claiming deliveries failed");
    } finally {
      looping = false;
    }
  }

  const wake = () => {
    if (running) void loop();
  };
  let unsubscribe: (() => void)[] = [];

  return {
    start() {
      running = true;
      timer = setInterval(() => void loop(), settings.pollIntervalMs);
      unsubscribe = [
        deps.nodeEvents.on("event.committed", (event) => {
          if (event.deliveryIds.length > 0) wake();
        }),
        deps.nodeEvents.on("deliveries.requeued", wake),
      ];
      void loop();
    },
    stop() {
      // Idempotent: shutdown paths (signals, tests, errors) may all call it.
      stopping ??= (async () => {
        running = false;
        for (const off of unsubscribe) off();
        clearInterval(timer);
        await currentLoop;
        const deadline = new Promise((resolve) => setTimeout(resolve, 30_000).unref());
        await Promise.race([Promise.allSettled([...inFlight]), deadline]);
        await store.deliveries.releaseLeases(owner);
        await sender.close();
      })();
      return stopping;
    },
  };
}

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
  /**
   * A lease for an event's fresh deliveries: the event's append commits them leased to this
   * dispatcher and `start` queues them here, sent as room frees under the claim's caps
   * (`concurrency`, `perOriginConcurrency`), ahead of a claim. Null when stopped, when `batchSize`
   * rows already wait, or when one of the URLs' origins is at its cap.
   */
  reserve(urls: readonly string[]): Reservation | null;
}

/** One append's lease (see `Dispatcher.reserve`). */
export interface Reservation {
  readonly lease: { owner: string; leaseMs: number };
  /** Queues the deliveries the append committed leased to `lease.owner`. */
  start(leased: ClaimedDelivery[]): void;
  /** The append failed. */
  cancel(): void;
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
  const countOrigin = (origin: string, by: number) => {
    const n = (inFlightByOrigin.get(origin) ?? 0) + by;
    if (n > 0) inFlightByOrigin.set(origin, n);
    else inFlightByOrigin.delete(origin);
  };
  /** The ids being attempted: a commit whose deliveries were all handed over needs no claim. */
  const attempting = new Set<string>();
  /** Rows committed leased to this dispatcher and handed to it, waiting for room. */
  const ready: ClaimedDelivery[] = [];
  /** Appends holding a lease of `reserve`, settled as each commits or fails. */
  const appending = new Set<Promise<void>>();
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

  /** Attempts `c`, whose origin is already counted in `inFlightByOrigin`. */
  function run(c: ClaimedDelivery, origin: string): void {
    attempting.add(c.delivery.id);
    const task = process(c)
      .catch((err: unknown) =>
        logger.error({ err, deliveryId: c.delivery.id }, "delivery failed unexpectedly"),
      )
      .finally(() => {
        inFlight.delete(task);
        attempting.delete(c.delivery.id);
        countOrigin(origin, -1);
        pump();
        if (running) void loop();
      });
    inFlight.add(task);
  }

  /**
   * Starts handed-over rows while this node has room, oldest first, under the claim's caps. A row
   * whose lease would lapse before an attempt could end is left to the claim (any node's, once
   * the lease lapses), so it is never sent by two nodes.
   */
  function pump(): void {
    // Stopping: what waits here is released with the node's other leases.
    if (!running) return;
    const now = clock.now().getTime();
    for (let i = 0; i < ready.length && inFlight.size < settings.concurrency; ) {
      const c = ready[i];
      if (!c) break;
      const origin = deliveryOrigin(c.delivery.url);
      const expires = c.delivery.leaseExpiresAt?.getTime() ?? now;
      if (now >= expires - c.delivery.policy.timeoutMs) {
        ready.splice(i, 1);
        continue;
      }
      if ((inFlightByOrigin.get(origin) ?? 0) >= settings.perOriginConcurrency) {
        i++;
        continue;
      }
      ready.splice(i, 1);
      countOrigin(origin, 1);
      run(c, origin);
    }
  }

  function reserve(urls: readonly string[]): Reservation | null {
    // Bounded: past a batch of rows waiting here, or for an origin at its cap, appends leave
    // their rows to the claim, which leases nothing it cannot run.
    if (!running || ready.length >= settings.batchSize) return null;
    for (const origin of new Set(urls.map(deliveryOrigin))) {
      const waiting = ready.filter((c) => deliveryOrigin(c.delivery.url) === origin).length;
      if ((inFlightByOrigin.get(origin) ?? 0) + waiting >= settings.perOriginConcurrency)
        return null;
    }
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    appending.add(settled);
    let open = true;
    const close = (leased: ClaimedDelivery[]) => {
      if (!open) return;
      open = false;
      ready.push(...leased);
      appending.delete(settled);
      settle();
      pump();
    };
    return {
      lease: { owner, leaseMs: settings.leaseMs },
      start: close,
      cancel: () => close([]),
    };
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
          countOrigin(origin, 1);
          run(c, origin);
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
          const handed = new Set(ready.map((c) => c.delivery.id));
          if (event.deliveryIds.some((id) => !attempting.has(id) && !handed.has(id))) wake();
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
        // Appends holding room hand their deliveries over (or fail) first: they are in flight too.
        await Promise.race([Promise.allSettled([...appending]), deadline]);
        await Promise.race([Promise.allSettled([...inFlight]), deadline]);
        await store.deliveries.releaseLeases(owner);
        await sender.close();
      })();
      return stopping;
    },
    reserve,
  };
}

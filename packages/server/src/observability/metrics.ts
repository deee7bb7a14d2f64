import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Store } from "../store/store.js";
import type { NodeEvents } from "./node-events.js";
import { cachedSingleFlight } from "./single-flight.js";

/** OnAir's Prometheus metrics, on a registry of their own (never prom-client's global one). */
export interface Metrics {
  registry: Registry;
  events: Counter<"event_type">;
  deliveries: Counter<"outcome">;
  attemptDuration: Histogram<"outcome">;
  endpointsDisabled: Counter;
  publishes: Counter<"outcome">;
  publishEnds: Counter<"errcode">;
  livePublishes: Gauge;
  recordingFailures: Counter<"format">;
}

/**
 * The queue gauges come from `Store.deliveries.queueGauges` (index ranges, no table scan), read at
 * most once per `queueStatsMaxAgeMs` for all three gauges and every concurrent scrape together,
 * so a `/metrics` flood costs the store nothing more than one scrape does. They are global (the
 * store is shared by every node) and at most that old.
 */
export function createMetrics(options: {
  store: Store;
  clock: { now(): Date };
  /** Default 10 s (config `metrics.queueStatsMaxAgeMs`). */
  queueStatsMaxAgeMs?: number;
}): Metrics {
  const registry = new Registry();
  const stats = cachedSingleFlight(
    () => options.store.deliveries.queueGauges(options.clock.now()),
    options.queueStatsMaxAgeMs ?? 10_000,
    () => options.clock.now().getTime(),
  );
  new Gauge({
    name: "onair_delivery_queue_depth",
    help: "Deliveries pending (waiting for their next attempt)",
    registers: [registry],
    async collect() {
      this.set((await stats()).pending);
    },
  });
  new Gauge({
    name: "onair_delivery_oldest_pending_age_seconds",
    help: "Age of the oldest pending delivery",
    registers: [registry],
    async collect() {
      this.set(((await stats()).oldestPendingAgeMs ?? 0) / 1000);
    },
  });
  new Gauge({
    name: "onair_deliveries_dead",
    help: "Deliveries that used up their retries",
    registers: [registry],
    async collect() {
      this.set((await stats()).dead);
    },
  });
  return {
    registry,
    events: new Counter({
      name: "onair_events_total",
      help: "Events committed",
      labelNames: ["event_type"],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "onair_delivery_attempts_total",
      help: "Delivery attempts by what followed: delivered, retry or dead",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: "onair_delivery_attempt_duration_seconds",
      help: "Duration of one delivery attempt",
      labelNames: ["outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers: [registry],
    }),
    endpointsDisabled: new Counter({
      name: "onair_endpoints_disabled_total",
      help: "Callback endpoints disabled after sustained failure",
      registers: [registry],
    }),
    publishes: new Counter({
      name: "onair_rtmp_publishes_total",
      help: "RTMP publish requests by outcome: accepted or the refusal reason",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    publishEnds: new Counter({
      name: "onair_rtmp_publish_ends_total",
      help: "Ended publishes by interruption errcode",
      labelNames: ["errcode"],
      registers: [registry],
    }),
    livePublishes: new Gauge({
      name: "onair_rtmp_live_publishes",
      help: "Publishes live on this node",
      registers: [registry],
    }),
    recordingFailures: new Counter({
      name: "onair_recording_failures_total",
      help: "Recordings that failed (ffmpeg missing or dying, write errors, disk full), by format",
      labelNames: ["format"],
      registers: [registry],
    }),
  };
}

/** The counters fed by the node's bus: committed events by type. */
export function countNodeEvents(metrics: Metrics, nodeEvents: NodeEvents): void {
  nodeEvents.on("event.committed", (event) =>
    metrics.events.inc({ event_type: String(event.eventType) }),
  );
}

/**
 * Media-side figures read at scrape time: screenshot outcomes (taken, failed, skipped and why)
 * and screenshots the porn-detection classifier dropped because it fell behind.
 */
export function registerMediaMetrics(
  metrics: Metrics,
  sources: {
    snapshots: () => Readonly<
      Record<"taken" | "failed" | "skippedBusy" | "skippedUnchanged" | "skippedCapacity", number>
    >;
    moderationDropped: () => number | null;
  },
): void {
  new Gauge({
    name: "onair_snapshots_total",
    help: "Screenshots by outcome since start: taken, failed, skipped_busy, skipped_unchanged, skipped_capacity",
    labelNames: ["outcome"],
    registers: [metrics.registry],
    collect() {
      const c = sources.snapshots();
      this.set({ outcome: "taken" }, c.taken);
      this.set({ outcome: "failed" }, c.failed);
      this.set({ outcome: "skipped_busy" }, c.skippedBusy);
      this.set({ outcome: "skipped_unchanged" }, c.skippedUnchanged);
      this.set({ outcome: "skipped_capacity" }, c.skippedCapacity);
    },
  });
  new Gauge({
    name: "onair_moderation_dropped_total",
    help: "Screenshots the porn-detection classifier dropped (oldest first) because it fell behind",
    registers: [metrics.registry],
    collect() {
      this.set(sources.moderationDropped() ?? 0);
    },
  });
}

/** The unauthenticated-body budget (docs/security.md): bytes held now, refusals since start. */
export function registerHttpBodyMetrics(
  metrics: Metrics,
  budget: { inUse(): number; refused(): number },
): void {
  new Gauge({
    name: "onair_http_unauthenticated_body_bytes",
    help: "Bytes of request bodies buffered before their authentication was checked",
    registers: [metrics.registry],
    collect() {
      this.set(budget.inUse());
    },
  });
  new Gauge({
    name: "onair_http_unauthenticated_body_refusals",
    help: "Requests refused with 503 because the unauthenticated-body budget was spent (since start)",
    registers: [metrics.registry],
    collect() {
      this.set(budget.refused());
    },
  });
}

/** The RTMP port's bounds as gauges: what untrusted peers hold right now, and how often refused. */
export function registerRtmpMetrics(
  metrics: Metrics,
  stats: () => { openConnections: number; pendingBytes: number; refusedConnections: number },
): void {
  new Gauge({
    name: "onair_rtmp_connections",
    help: "RTMP connections open on this node",
    registers: [metrics.registry],
    collect() {
      this.set(stats().openConnections);
    },
  });
  new Gauge({
    name: "onair_rtmp_pending_bytes",
    help: "Bytes held for unfinished RTMP chunks and messages across all connections",
    registers: [metrics.registry],
    collect() {
      this.set(stats().pendingBytes);
    },
  });
  new Gauge({
    name: "onair_rtmp_connections_refused_total",
    help: "RTMP connections closed on accept (over ingest.maxConnections or maxConnectionsPerIp)",
    registers: [metrics.registry],
    collect() {
      this.set(stats().refusedConnections);
    },
  });
}

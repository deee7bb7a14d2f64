import { Counter, Gauge, Histogram, Registry } from "prom-client";
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

/** The delivery-queue figures the gauges export. */
export interface QueueGauges {
  pending: number;
  dead: number;
  oldestPendingAgeMs: number | null;
}

/** Where the gauges read the queue from: the store's deliveries (observability sits below it). */
export interface QueueGaugeSource {
  queueGauges(now: Date): Promise<QueueGauges>;
}

/**
 * The queue gauges come from `queue.queueGauges` (the store's index ranges, no table scan), read at
 * most once per `queueStatsMaxAgeMs` for all three gauges and every concurrent scrape together,
 * so a `/metrics` flood costs the store nothing more than one scrape does. They are global (the
 * store is shared by every node) and at most that old.
 */
export function createMetrics(options: {
  queue: QueueGaugeSource;
  clock: { now(): Date };
  /** Default 10 s (config `metrics.queueStatsMaxAgeMs`). */
  queueStatsMaxAgeMs?: number;
}): Metrics {
  const registry = new Registry();
  const stats = cachedSingleFlight(
    () => options.queue.queueGauges(options.clock.now()),
    options.queueStatsMaxAgeMs ?? 10_000,
    () => options.clock.now().getTime(),
  );
  scrapedGauge(
    registry,
    "onair_delivery_queue_depth",
    "Deliveries pending (waiting for their next attempt)",
    async () => (await stats()).pending,
  );
  scrapedGauge(
    registry,
    "onair_delivery_oldest_pending_age_seconds",
    "Age of the oldest pending delivery",
    async () => ((await stats()).oldestPendingAgeMs ?? 0) / 1000,
  );
  scrapedGauge(
    registry,
    "onair_deliveries_dead",
    "Deliveries that used up their retries",
    async () => (await stats()).dead,
  );
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

/** The counters fed by the node's bus: committed events by type, delivery attempts. */
export function countNodeEvents(metrics: Metrics, nodeEvents: NodeEvents): void {
  nodeEvents.on("event.committed", (event) =>
    metrics.events.inc({ event_type: String(event.eventType) }),
  );
  nodeEvents.on("delivery.attempted", (attempt) => {
    metrics.attemptDuration.observe(
      { outcome: attempt.errorCode ?? "ok" },
      attempt.durationMs / 1000,
    );
    metrics.deliveries.inc({ outcome: attempt.outcome });
  });
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
  scrapedGauge(
    metrics.registry,
    "onair_moderation_dropped_total",
    "Screenshots the porn-detection classifier dropped (oldest first) because it fell behind",
    () => sources.moderationDropped() ?? 0,
  );
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

/** One live stream's figures as the push gauges export them (observability sits below monitoring). */
export interface PushGaugeRow {
  domainName: string;
  appName: string;
  streamName: string;
  videoBitsPerSecond: number;
  audioBitsPerSecond: number;
  videoFps: number;
  audioFps: number;
  bytesIn: number;
}

/**
 * Per-stream push gauges (docs/monitoring.md), labelled domain/app/stream. Each scrape resets
 * them and sets only the streams live now, so an ended stream's series disappears at the next
 * scrape and the label set never outgrows the node's live publishes.
 */
export function registerPushMetrics(metrics: Metrics, live: () => readonly PushGaugeRow[]): void {
  const labelNames = ["domain", "app", "stream"] as const;
  const gauge = (name: string, help: string, read: (row: PushGaugeRow) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const row of live()) {
          this.set({ domain: row.domainName, app: row.appName, stream: row.streamName }, read(row));
        }
      },
    });
  gauge(
    "onair_push_video_bitrate_bps",
    "Video bitrate a live stream is pushed at (last rate window), bits per second",
    (r) => r.videoBitsPerSecond,
  );
  gauge(
    "onair_push_audio_bitrate_bps",
    "Audio bitrate a live stream is pushed at (last rate window), bits per second",
    (r) => r.audioBitsPerSecond,
  );
  gauge(
    "onair_push_video_fps",
    "Video frames per second received (last rate window)",
    (r) => r.videoFps,
  );
  gauge(
    "onair_push_audio_fps",
    "Audio frames per second received (last rate window)",
    (r) => r.audioFps,
  );
  gauge(
    "onair_push_received_bytes",
    "Media bytes received from a live stream since its publish started",
    (r) => r.bytesIn,
  );
}

/** The RTMP port's bounds as gauges: what untrusted peers hold right now, and how often refused. */
export function registerRtmpMetrics(
  metrics: Metrics,
  stats: () => {
    openConnections: number;
    pendingBytes: number;
    refusedConnections: number;
    tlsFailures: number;
  },
): void {
  const gauge = (name: string, help: string, read: () => number) =>
    scrapedGauge(metrics.registry, name, help, read);
  gauge(
    "onair_rtmp_connections",
    "RTMP connections open on this node",
    () => stats().openConnections,
  );
  gauge(
    "onair_rtmp_pending_bytes",
    "Bytes held for unfinished RTMP chunks and messages across all connections",
    () => stats().pendingBytes,
  );
  gauge(
    "onair_rtmp_connections_refused_total",
    "RTMP connections closed on accept (over ingest.maxConnections or maxConnectionsPerIp)",
    () => stats().refusedConnections,
  );
  gauge(
    "onair_rtmps_tls_failures_total",
    "RTMPS connections closed before their TLS handshake completed (bad TLS, timeout)",
    () => stats().tlsFailures,
  );
}

/** A gauge whose value is read when Prometheus scrapes. */
function scrapedGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number | Promise<number>,
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}

/** What the viewer gauges read (playback/viewer-stats.ts satisfies it). */
export interface ViewerFigures {
  streams: ReadonlyMap<string, { online: number; requests: number; bytes: number }>;
  domains: ReadonlyMap<string, { online: number; requests: number; bytes: number }>;
  evicted: Readonly<Record<"rtmp" | "flv" | "hls", number>>;
  refused: Readonly<Record<"auth" | "notFound" | "badRequest", number>>;
}

/**
 * Viewer statistics (docs/playback.md): online viewers, play requests and bytes sent per stream
 * (`AppName/StreamName`) and per play domain, viewers dropped for falling behind and refused
 * plays. Counters since start, read at scrape time.
 */
export function registerPlaybackMetrics(metrics: Metrics, figures: ViewerFigures): void {
  const perKey = (
    name: string,
    help: string,
    label: "stream" | "domain",
    field: "online" | "requests" | "bytes",
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [metrics.registry],
      collect() {
        this.reset();
        const map = label === "stream" ? figures.streams : figures.domains;
        for (const [key, counters] of map) this.set({ [label]: key }, counters[field]);
      },
    });
  perKey(
    "onair_play_stream_viewers",
    "Viewers watching now, per AppName/StreamName",
    "stream",
    "online",
  );
  perKey(
    "onair_play_stream_requests_total",
    "Accepted play requests per stream",
    "stream",
    "requests",
  );
  perKey("onair_play_stream_bytes_total", "Bytes sent to viewers per stream", "stream", "bytes");
  perKey("onair_play_domain_viewers", "Viewers watching now, per play domain", "domain", "online");
  perKey(
    "onair_play_domain_requests_total",
    "Accepted play requests per play domain",
    "domain",
    "requests",
  );
  perKey(
    "onair_play_domain_bytes_total",
    "Bytes sent to viewers per play domain",
    "domain",
    "bytes",
  );
  new Gauge({
    name: "onair_play_viewers_dropped_total",
    help: "Viewers disconnected because they stayed behind (playback.maxQueuedBytes), by protocol",
    labelNames: ["protocol"],
    registers: [metrics.registry],
    collect() {
      this.set({ protocol: "rtmp" }, figures.evicted.rtmp);
      this.set({ protocol: "flv" }, figures.evicted.flv);
      this.set({ protocol: "hls" }, figures.evicted.hls);
    },
  });
  new Gauge({
    name: "onair_play_refusals_total",
    help: "Plays refused: auth (play auth or domain), not_found (not live), bad_request",
    labelNames: ["reason"],
    registers: [metrics.registry],
    collect() {
      this.set({ reason: "auth" }, figures.refused.auth);
      this.set({ reason: "not_found" }, figures.refused.notFound);
      this.set({ reason: "bad_request" }, figures.refused.badRequest);
    },
  });
}

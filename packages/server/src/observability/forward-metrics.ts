import { Gauge } from "prom-client";
import type { Metrics } from "./metrics.js";

/** What the forwarding gauges read (forwarding/forward-service.ts satisfies it). */
export interface ForwardFiguresSource {
  figures(): {
    byState: Readonly<Record<string, number>>;
    bytesTotal: number;
    failuresTotal: number;
  };
}

/**
 * Forwarding (docs/relay.md): targets by state, bytes written to targets and failed attempts
 * since the node started. Read at scrape time. The totals are gauges that only grow, as the
 * other `_total` figures read from a running count (onair_play_relays_accepted_total).
 */
export function registerForwardMetrics(metrics: Metrics, source: ForwardFiguresSource): void {
  new Gauge({
    name: "onair_forward_targets",
    help: "Forward targets of live publishes on this node, by state (connecting, live, retrying, failed)",
    labelNames: ["state"],
    registers: [metrics.registry],
    collect() {
      for (const [state, count] of Object.entries(source.figures().byState)) {
        this.set({ state }, count);
      }
    },
  });
  new Gauge({
    name: "onair_forward_bytes_total",
    help: "Bytes written to forward targets since the node started",
    registers: [metrics.registry],
    collect() {
      this.set(source.figures().bytesTotal);
    },
  });
  new Gauge({
    name: "onair_forward_failures_total",
    help: "Failed forward attempts (connect, TLS, refused publish, target gone) since the node started",
    registers: [metrics.registry],
    collect() {
      this.set(source.figures().failuresTotal);
    },
  });
}

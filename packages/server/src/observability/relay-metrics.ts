import { Gauge } from "prom-client";
import type { Metrics } from "./metrics.js";

/** What the internal-pull gauges read (playback/cluster-playback.ts satisfies it). */
export interface RelayFigures {
  /** Pulls this node serves to other nodes now, by stream, and accepted since start. */
  relays: { readonly serving: ReadonlyMap<string, number>; readonly accepted: number };
  /** Pulls this node makes of other nodes now, by stream, and started since start. */
  pulls: { running(): ReadonlyMap<string, number>; readonly started: number } | null;
}

/**
 * Internal pulls between nodes (docs/playback.md, "Several nodes"), apart from the viewer
 * figures: a pull is no viewer. Read at scrape time.
 */
export function registerRelayMetrics(metrics: Metrics, figures: RelayFigures): void {
  const perStream = (name: string, help: string, read: () => ReadonlyMap<string, number>) =>
    new Gauge({
      name,
      help,
      labelNames: ["stream"],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [stream, count] of read()) this.set({ stream }, count);
      },
    });
  const total = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read());
      },
    });
  perStream(
    "onair_play_relays_serving",
    "Internal pulls of other nodes served from this node's publishes now, per stream",
    () => figures.relays.serving,
  );
  total(
    "onair_play_relays_accepted_total",
    "Internal pulls of other nodes accepted",
    () => figures.relays.accepted,
  );
  perStream(
    "onair_play_upstream_pulls",
    "Internal pulls this node runs now from the node holding the publisher, per stream",
    () => figures.pulls?.running() ?? new Map(),
  );
  total(
    "onair_play_upstream_pulls_started_total",
    "Internal pulls this node started",
    () => figures.pulls?.started ?? 0,
  );
}

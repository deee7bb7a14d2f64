import { Gauge } from "prom-client";
import type { Metrics } from "./metrics.js";

/** What the HLS gauges read (playback/hls/hls-streams.ts satisfies it). */
export interface HlsFigures {
  /** Bytes of segments held now, per `AppName/StreamName` with an HLS output on this node. */
  heldBytes(): ReadonlyMap<string, number>;
  readonly sessionCount: number;
}

/** HLS outputs (docs/hls.md, "Memory"): what each holds, and the sessions now. Read at scrape time. */
export function registerHlsMetrics(metrics: Metrics, figures: HlsFigures): void {
  new Gauge({
    name: "onair_hls_output_bytes",
    help: "Bytes of HLS segments held per stream (bounded by playback.hls.maxBytesPerStream)",
    labelNames: ["stream"],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [stream, bytes] of figures.heldBytes()) this.set({ stream }, bytes);
    },
  });
  new Gauge({
    name: "onair_hls_sessions",
    help: "HLS sessions (players) active now on this node",
    registers: [metrics.registry],
    collect() {
      this.set(figures.sessionCount);
    },
  });
}

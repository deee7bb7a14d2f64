import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Metrics } from "../observability/metrics.js";
import type { Store } from "../store/store.js";

/** What every part of the stream service works with: this node, its store, clock and telemetry. */
export interface NodeContext {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  nodeId: string;
}

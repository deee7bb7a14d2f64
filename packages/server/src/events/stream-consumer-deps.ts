import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { Store } from "../store/store.js";
import type { EventInput } from "./event-committer.js";

/**
 * What the composition root gives a consumer of published streams that writes files under
 * `/files/` and commits callbacks about them (recording, screenshots): one shape, so they are
 * wired alike.
 */
export interface StreamConsumerDeps {
  store: Store;
  commit: (input: EventInput) => Promise<unknown>;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  /** The node's bus: consumers attach on "publish.started". */
  events: NodeEvents;
  /** Root of what `/files/` serves. */
  filesDir: string;
  /** `http://host:port` the files are reachable at. */
  publicBaseUrl: () => string;
  /** The `?expires=&sig=` for a path under `/files/` ("" when files are public). */
  fileUrlQuery: (path: string) => string;
}

import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";

/** What every action may use. */
export interface ActionContext {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  /** Wakes the dispatcher after deliveries were requeued. */
  wake?: () => void;
}

/** One API action: validated parameters in, the `Response` fields (without RequestId) out. */
export type ActionHandler = (
  params: Record<string, unknown>,
  ctx: ActionContext,
) => Promise<Record<string, unknown>>;

import type { z } from "zod";
import type { OnAirConfig } from "../config/schema.js";
import type { OperatorAlerts } from "../dispatcher/operator-alerts.js";
import type { Clock } from "../domain/clock.js";
import type { StreamKey } from "../domain/stream-key.js";
import type { ForwardTargetsSource } from "../forwarding/forward-service.js";
import type { PushInfoSource } from "../monitoring/push-monitor.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { ViewerStats } from "../playback/viewer-stats.js";
import type { Store } from "../store/store.js";

/** Ends a live publish wherever it runs (the stream service); false when it is not live. */
export interface StreamControl {
  /** `subErrcode`: why (Tencent 267/31083, `SubErrcode`), which the interruption's errmsg says. */
  drop(key: StreamKey, errcode: number, detail: string, subErrcode?: number): Promise<boolean>;
}

import { parseParams } from "./params.js";

/** What every action may use. */
export interface ActionContext {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  /** The node's bus: told of requeued deliveries, so the dispatcher wakes at once. */
  nodeEvents: NodeEvents;
  /** Absent in API-only setups: drops then go through the store, carried out by the holding node. */
  streams?: StreamControl | undefined;
  /** Operator alerts (docs/alerts.md): re-enabling an endpoint tells of it. */
  alerts?: OperatorAlerts | undefined;
  /** This node's push statistics (docs/monitoring.md); absent when the node has no ingest. */
  pushInfo?: PushInfoSource | undefined;
  /** This node's forwards (docs/relay.md); absent when forwarding is off. */
  forwards?: ForwardTargetsSource | undefined;
  /**
   * This node's viewer counters since start (the dashboard's player); absent when playback is off.
   * The play-info actions read every node's samples from the store instead.
   */
  viewers?: ViewerStats | undefined;
}

/** One API action: raw JSON parameters in, the `Response` fields (without RequestId) out. */
export interface ApiAction {
  /** Tencent's action name (`X-TC-Action`). */
  name: string;
  /** True for OnAir's own actions, which Tencent does not have. */
  extension: boolean;
  run(params: unknown, ctx: ActionContext): Promise<Record<string, unknown>>;
}

/**
 * Declares an action with its strict parameter schema; parameters are validated (with Tencent's
 * error codes) before `run` sees them.
 *
 * @example
 * export const describeThing = defineAction({
 *   name: "DescribeThing",
 *   params: z.object({ ThingId: z.number().int() }).strict(),
 *   run: async ({ ThingId }, ctx) => ({ Thing: await load(ctx, ThingId) }),
 * });
 */
export function defineAction<S extends z.ZodType>(definition: {
  name: string;
  extension?: boolean;
  params: S;
  run(params: z.output<S>, ctx: ActionContext): Promise<Record<string, unknown>>;
}): ApiAction {
  return {
    name: definition.name,
    extension: definition.extension ?? false,
    run: (params, ctx) => definition.run(parseParams(definition.params, params), ctx),
  };
}

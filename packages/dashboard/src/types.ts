/**
 * The response shapes of the actions the dashboard calls, as the server types them
 * (packages/server/src/dashboard/wire-types.ts; type-only: nothing of the server is bundled).
 */
import type { CallbackDeliveryInfo } from "../../server/src/dashboard/wire-types.js";

export type * from "../../server/src/dashboard/wire-types.js";
export type DeliveryStatus = CallbackDeliveryInfo["Status"];

import type { ServerResponse } from "node:http";
import { OnAirBaseError } from "@onair/callbacks";
import { toOnAirError } from "../errors.js";
import { sendJson } from "./route.js";

/**
 * Replies with the one JSON error body of OnAir's HTTP routes outside the Tencent API,
 * `{"error":{"code":"ONAIR_ERR_…","message":"…"}}` (docs/errors.md), with the error's own status
 * unless the route answers with another (a refused signed file URL is a 403). Anything that is
 * not an OnAir error is reported as ONAIR_ERR_INTERNAL (or ONAIR_ERR_STORAGE_FULL).
 *
 * @example
 * sendError(res, new OnAirError("ONAIR_ERR_AUTH_MISSING", "sign in first")); // 401
 */
export function sendError(res: ServerResponse, err: unknown, status?: number): void {
  const error = err instanceof OnAirBaseError ? err : toOnAirError(err);
  sendJson(res, status ?? error.status ?? 500, error.toJSON());
}

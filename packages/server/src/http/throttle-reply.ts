import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AuthAttempt,
  type AuthThrottle,
  retryAfterSeconds,
  socketAddress,
} from "./auth-throttle.js";
import { refuseUnread } from "./read-body.js";
import { sendJson } from "./route.js";

/** The attempt of a bearer-token request (intake, hooks): the client address, no credential id. */
export function tokenAttempt(
  throttle: AuthThrottle | undefined,
  req: IncomingMessage,
  surface: "intake" | "hook",
): AuthAttempt {
  return { ip: throttle?.clientIp(req) ?? socketAddress(req), surface };
}

/**
 * Answers a blocked client 429 with `Retry-After` and OnAir's JSON error, its body left unread
 * (it learns nothing from its guesses); true when it did.
 */
export function refusedAsThrottled(
  throttle: AuthThrottle | undefined,
  attempt: AuthAttempt,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const wait = throttle?.blockedFor(attempt) ?? null;
  if (wait === null) return false;
  refuseUnread(req, res);
  res.setHeader("retry-after", retryAfterSeconds(wait));
  sendJson(res, 429, {
    error: "ONAIR_ERR_AUTH_THROTTLED",
    message: `too many failed authentications from this address; retry in ${retryAfterSeconds(wait)} s`,
  });
  return true;
}

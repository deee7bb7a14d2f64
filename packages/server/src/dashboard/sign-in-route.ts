import { createHash, timingSafeEqual } from "node:crypto";
import type { Clock } from "../domain/clock.js";
import { OnAirError } from "../errors.js";
import { type RouteHandler, sendJson } from "../http/route.js";
import {
  readCookie,
  readJsonObject,
  SESSION_COOKIE,
  sendError,
  sessionCookie,
} from "./http-helpers.js";
import type { SessionStore } from "./session-store.js";

/** Failed sign-ins allowed per window before every attempt is refused until it ends. */
const MAX_FAILURES_PER_WINDOW = 10;
const FAILURE_WINDOW_MS = 60_000;
const SIGN_IN_BODY_LIMIT = 4096;

/** Equal strings, compared in constant time (hashing first makes the lengths equal). */
function sameSecret(a: string, b: string): boolean {
  const hash = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(hash(a), hash(b));
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === "string" ? value : "";
}

/**
 * `POST /dashboard/session`: `{SecretId, SecretKey}` (the management credentials) or `{Token}`
 * (the SecretKey alone, as hook URLs take it) → an HttpOnly, SameSite=Strict session cookie.
 * After MAX_FAILURES_PER_WINDOW failures in a minute every attempt is refused until the minute
 * ends, which bounds guessing without keeping per-client state.
 */
export function createSignInRoute(options: {
  credentials: { secretId: string; secretKey: string };
  sessions: SessionStore;
  clock: Clock;
  secureCookie: boolean;
  ttlMs: number;
}): { signIn: RouteHandler; signOut: RouteHandler } {
  let windowStart = 0;
  let failures = 0;
  const signIn: RouteHandler = async (req, res) => {
    try {
      const body = await readJsonObject(req, SIGN_IN_BODY_LIMIT);
      const now = options.clock.now().getTime();
      if (now - windowStart >= FAILURE_WINDOW_MS) {
        windowStart = now;
        failures = 0;
      }
      if (failures >= MAX_FAILURES_PER_WINDOW) {
        throw new OnAirError("ONAIR_ERR_LIMIT_EXCEEDED", "too many failed sign-ins; wait a minute");
      }
      const token = stringField(body, "Token");
      const ok = token
        ? sameSecret(token, options.credentials.secretKey)
        : // Both compared, always, so the reply time does not tell which one was wrong.
          [
            sameSecret(stringField(body, "SecretId"), options.credentials.secretId),
            sameSecret(stringField(body, "SecretKey"), options.credentials.secretKey),
          ].every(Boolean);
      if (!ok) {
        failures++;
        throw new OnAirError("ONAIR_ERR_AUTH_SIGNATURE", "wrong SecretId, SecretKey or token");
      }
      const session = options.sessions.create();
      res.setHeader(
        "set-cookie",
        sessionCookie(session.token, {
          maxAgeSeconds: Math.floor(options.ttlMs / 1000),
          secure: options.secureCookie,
        }),
      );
      sendJson(res, 200, { ExpireTime: session.expiresAt.toISOString() });
    } catch (err) {
      sendError(res, err);
    }
  };
  const signOut: RouteHandler = async (req, res) => {
    req.resume();
    options.sessions.revoke(readCookie(req, SESSION_COOKIE));
    res.setHeader(
      "set-cookie",
      sessionCookie("", { maxAgeSeconds: 0, secure: options.secureCookie }),
    );
    sendJson(res, 200, {});
  };
  return { signIn, signOut };
}

import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import { configSchema } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { OnAirError } from "../errors.js";
import { type AuthThrottle, createAuthThrottle, retryAfterSeconds } from "../http/auth-throttle.js";
import { sendError } from "../http/error-reply.js";
import { type RouteHandler, sendJson } from "../http/route.js";
import { readCookie, readJsonObject, SESSION_COOKIE, sessionCookie } from "./http-helpers.js";
import type { SessionStore } from "./session-store.js";

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
 * (the SecretKey alone) → an HttpOnly, SameSite=Strict session cookie. Failures are throttled
 * per client address and per address and SecretId by the shared `AuthThrottle` (logged at warn
 * with the address), so a guessing client locks out only itself: the admin signing in from
 * another address is not affected (a global lockout would let one attacker keep everyone out).
 */
export function createSignInRoute(options: {
  credentials: { secretId: string; secretKey: string };
  sessions: SessionStore;
  clock: Clock;
  secureCookie: boolean;
  ttlMs: number;
  /** The shared limiter (default: one of its own with the config defaults). */
  throttle?: AuthThrottle | undefined;
  logger?: Logger | undefined;
}): { signIn: RouteHandler; signOut: RouteHandler } {
  const throttle =
    options.throttle ??
    createAuthThrottle({
      ...configSchema.parse({}).authThrottle,
      logger: options.logger,
      now: () => options.clock.now().getTime(),
    });
  const signIn: RouteHandler = async (req, res) => {
    try {
      const body = await readJsonObject(req, SIGN_IN_BODY_LIMIT);
      const token = stringField(body, "Token");
      const secretId = stringField(body, "SecretId");
      const attempt = {
        ip: throttle.clientIp(req),
        surface: "dashboard" as const,
        credential: token ? undefined : secretId.slice(0, 128),
      };
      // Refused before the secret is compared: a blocked client learns nothing from its guesses.
      const wait = throttle.blockedFor(attempt);
      if (wait !== null) {
        res.setHeader("retry-after", retryAfterSeconds(wait));
        throw new OnAirError(
          "ONAIR_ERR_AUTH_THROTTLED",
          `too many failed sign-ins from this address; retry in ${retryAfterSeconds(wait)} s`,
        );
      }
      const ok = token
        ? sameSecret(token, options.credentials.secretKey)
        : // Both compared, always, so the reply time does not tell which one was wrong.
          [
            sameSecret(secretId, options.credentials.secretId),
            sameSecret(stringField(body, "SecretKey"), options.credentials.secretKey),
          ].every(Boolean);
      if (!ok) {
        throttle.failed(attempt, token ? "wrong dashboard token" : "wrong SecretId or SecretKey");
        throw new OnAirError("ONAIR_ERR_AUTH_SIGNATURE", "wrong SecretId, SecretKey or token");
      }
      throttle.succeeded(attempt);
      const session = await options.sessions.create();
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
    try {
      await options.sessions.revoke(readCookie(req, SESSION_COOKIE));
    } catch (err) {
      return sendError(res, err);
    }
    res.setHeader(
      "set-cookie",
      sessionCookie("", { maxAgeSeconds: 0, secure: options.secureCookie }),
    );
    sendJson(res, 200, {});
  };
  return { signIn, signOut };
}

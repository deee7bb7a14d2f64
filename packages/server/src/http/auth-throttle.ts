import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { OnAirError } from "../errors.js";
import { sendError } from "./error-reply.js";
import { refuseUnread } from "./read-body.js";

/** Where an authentication failed: the management API, the intake, a hook, the dashboard sign-in. */
export type AuthSurface = "api" | "intake" | "hook" | "dashboard";

/** One client attempting to authenticate. */
export interface AuthAttempt {
  /** The client address (see `AuthThrottle.clientIp`). */
  ip: string;
  surface: AuthSurface;
  /** The credential id the client named (a SecretId), if the scheme has one; never logged. */
  credential?: string | undefined;
}

/**
 * The one limiter of failed authentications, shared by the API, the intake, the hooks and the
 * dashboard: per client address, and per address and credential id, failures are counted in a
 * fixed window; past the limit the key is blocked, each further block of the same key twice as
 * long (up to `maxBlockMs`). A blocked client is refused before its credentials are compared, so
 * it learns nothing. One attacker address cannot lock out another address, which a global
 * counter would (fail2ban and nginx's limit_req are keyed by client address the same way).
 *
 * The table is an LRU of at most `maxClients` keys, so spoofed source addresses cannot grow
 * memory; an evicted key starts afresh. Every failure is logged at warn (address, surface,
 * reason; never the secret), every new block once more.
 *
 * @example
 * const throttle = createAuthThrottle({ ...config.authThrottle, logger, now: () => Date.now() });
 * const attempt = { ip: throttle.clientIp(req), surface: "intake" } as const;
 * if (throttle.blockedFor(attempt) !== null) return reply(429);
 * if (!tokenOk) throttle.failed(attempt, "wrong bearer token");
 */
export interface AuthThrottle {
  /** The address a request comes from: the socket's, or the last X-Forwarded-For entry when trusted. */
  clientIp(req: IncomingMessage): string;
  /** Milliseconds until the client may try again, or null when it is not blocked. */
  blockedFor(attempt: AuthAttempt): number | null;
  /** Counts and logs one failure. */
  failed(attempt: AuthAttempt, reason: string): void;
  /** Clears the failures of the address and credential pair after a success. */
  succeeded(attempt: AuthAttempt): void;
  /** Keys tracked now. */
  size(): number;
}

export interface AuthThrottleOptions {
  maxFailuresPerClient: number;
  maxFailuresPerCredential: number;
  windowMs: number;
  blockMs: number;
  maxBlockMs: number;
  maxClients: number;
  trustForwardedFor?: boolean;
  logger?: Logger | undefined;
  now?: () => number;
}

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
  /** Blocks in a row; the next lasts blockMs × 2^blocks. */
  blocks: number;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
function plain(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** The socket's peer address, `::ffff:` stripped. */
export function socketAddress(req: IncomingMessage): string {
  return plain(req.socket.remoteAddress ?? "");
}

export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const keysOf = (attempt: AuthAttempt): [string, number][] => {
    const keys: [string, number][] = [[`ip ${attempt.ip}`, options.maxFailuresPerClient]];
    if (attempt.credential) {
      keys.push([`cred ${attempt.ip} ${attempt.credential}`, options.maxFailuresPerCredential]);
    }
    return keys;
  };
  const touch = (key: string): Entry => {
    let entry = entries.get(key);
    if (entry) entries.delete(key);
    else entry = { windowStart: now(), failures: 0, blockedUntil: 0, blocks: 0 };
    entries.set(key, entry);
    while (entries.size > options.maxClients) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    return entry;
  };
  return {
    clientIp(req) {
      if (options.trustForwardedFor) {
        const header = req.headers["x-forwarded-for"];
        const text = Array.isArray(header) ? header.join(",") : header;
        // The last entry is the one our own proxy appended; earlier ones are the client's word.
        const last = text?.split(",").at(-1)?.trim();
        if (last) return plain(last);
      }
      return socketAddress(req);
    },
    blockedFor(attempt) {
      const t = now();
      let wait: number | null = null;
      for (const [key] of keysOf(attempt)) {
        const entry = entries.get(key);
        if (entry && entry.blockedUntil > t) wait = Math.max(wait ?? 0, entry.blockedUntil - t);
      }
      return wait;
    },
    failed(attempt, reason) {
      const t = now();
      options.logger?.warn(
        { clientIp: attempt.ip, surface: attempt.surface, reason },
        "authentication failed",
      );
      for (const [key, limit] of keysOf(attempt)) {
        const entry = touch(key);
        // A key that stayed quiet for a whole maximum block starts its back-off again.
        if (entry.blocks > 0 && t > entry.blockedUntil + options.maxBlockMs) entry.blocks = 0;
        if (t - entry.windowStart >= options.windowMs) {
          entry.windowStart = t;
          entry.failures = 0;
        }
        entry.failures++;
        if (entry.failures >= limit) {
          const blockMs = Math.min(options.blockMs * 2 ** entry.blocks, options.maxBlockMs);
          entry.blockedUntil = t + blockMs;
          entry.blocks++;
          entry.failures = 0;
          entry.windowStart = t;
          options.logger?.warn(
            {
              clientIp: attempt.ip,
              surface: attempt.surface,
              scope: key.startsWith("ip ") ? "client" : "client+credential",
              blockMs,
            },
            "client blocked after repeated authentication failures",
          );
        }
      }
    },
    succeeded(attempt) {
      if (attempt.credential) entries.delete(`cred ${attempt.ip} ${attempt.credential}`);
    },
    size: () => entries.size,
  };
}

/** The reply's `Retry-After` in whole seconds (RFC 9110 §10.2.3). */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/**
 * The attempt a request makes on `surface`, or null once a blocked client was refused (before its
 * body is read): 429 ONAIR_ERR_AUTH_THROTTLED with `Retry-After`. Without a throttle every request
 * is admitted.
 */
export function admitAttempt(
  throttle: AuthThrottle | undefined,
  surface: AuthSurface,
  req: IncomingMessage,
  res: ServerResponse,
): AuthAttempt | null {
  const attempt = { ip: throttle?.clientIp(req) ?? socketAddress(req), surface };
  const waitMs = throttle?.blockedFor(attempt) ?? null;
  if (waitMs === null) return attempt;
  refuseUnread(req, res);
  res.setHeader("retry-after", retryAfterSeconds(waitMs));
  sendError(
    res,
    new OnAirError(
      "ONAIR_ERR_AUTH_THROTTLED",
      `too many failed authentications from this address; retry in ${retryAfterSeconds(waitMs)} s`,
    ),
  );
  return null;
}

import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.js";

/** Dashboard sign-ins, in memory: a restart signs everyone out, which is fine for an admin UI. */
export interface SessionStore {
  /** A new random session token and when it expires. */
  create(): { token: string; expiresAt: Date };
  /** True while `token` names a live session. */
  check(token: string | undefined): boolean;
  revoke(token: string | undefined): void;
}

/** Default session lifetime: a working day. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Sessions kept at most; the oldest is dropped first, so sign-in floods cannot grow memory. */
const MAX_SESSIONS = 1000;

/**
 * Tokens are kept by their SHA-256, so a Map lookup's timing says nothing about a real token and
 * a heap dump holds no usable cookie.
 *
 * @example
 * const sessions = createSessionStore({ clock: systemClock });
 * const { token } = sessions.create();
 * sessions.check(token); // true
 */
export function createSessionStore(options: { clock: Clock; ttlMs?: number }): SessionStore {
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  const expiries = new Map<string, number>();
  const digest = (token: string) => createHash("sha256").update(token).digest("hex");
  return {
    create() {
      const now = options.clock.now().getTime();
      for (const [key, expiresAt] of expiries) if (expiresAt <= now) expiries.delete(key);
      while (expiries.size >= MAX_SESSIONS) {
        const oldest = expiries.keys().next().value;
        if (oldest === undefined) break;
        expiries.delete(oldest);
      }
      const token = randomBytes(32).toString("base64url");
      expiries.set(digest(token), now + ttlMs);
      return { token, expiresAt: new Date(now + ttlMs) };
    },
    check(token) {
      if (!token) return false;
      const key = digest(token);
      const expiresAt = expiries.get(key);
      if (expiresAt === undefined) return false;
      if (expiresAt <= options.clock.now().getTime()) {
        expiries.delete(key);
        return false;
      }
      return true;
    },
    revoke(token) {
      if (token) expiries.delete(digest(token));
    },
  };
}

import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.js";
import type { SessionRepository } from "../store/store.js";

/**
 * Dashboard sign-ins, kept in the store (table `dashboard_sessions`): every node sharing the
 * store knows every session, so a browser signed in through one node is signed in on all of
 * them and a load balancer needs no sticky sessions. A restart keeps them too.
 */
export interface SessionStore {
  /** A new random session token and when it expires. */
  create(): Promise<{ token: string; expiresAt: Date }>;
  /** True while `token` names a live session. */
  check(token: string | undefined): Promise<boolean>;
  revoke(token: string | undefined): Promise<void>;
}

/** Default session lifetime: a working day. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/**
 * Tokens are kept by their SHA-256, so the table (and a backup of it) holds no usable cookie,
 * and a lookup's timing says nothing about a real token.
 *
 * @example
 * const sessions = createSessionStore({ clock: systemClock, sessions: store.sessions });
 * const { token } = await sessions.create();
 * await sessions.check(token); // true
 */
export function createSessionStore(options: {
  clock: Clock;
  sessions: SessionRepository;
  ttlMs?: number;
}): SessionStore {
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  const digest = (token: string) => createHash("sha256").update(token).digest("hex");
  return {
    async create() {
      const now = options.clock.now();
      // Sign-ins need the SecretKey (and are throttled); expired rows go at each one.
      await options.sessions.deleteExpired(now);
      const token = randomBytes(32).toString("base64url");
      const expiresAt = new Date(now.getTime() + ttlMs);
      await options.sessions.create(digest(token), expiresAt);
      return { token, expiresAt };
    },
    async check(token) {
      if (!token) return false;
      const expiresAt = await options.sessions.expiresAt(digest(token));
      return expiresAt !== null && expiresAt > options.clock.now();
    },
    async revoke(token) {
      if (token) await options.sessions.delete(digest(token));
    },
  };
}

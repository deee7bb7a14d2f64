import { first, type SqlRunner } from "./sql-runner.js";
import type { SessionRepository } from "./store.js";

/** Dashboard sign-ins in the store, so every node sharing it knows every session. */
export function createSessionRepository(sql: SqlRunner): SessionRepository {
  return {
    async create(tokenHash, expiresAt) {
      await sql.run("INSERT INTO dashboard_sessions (token_hash, expires_at) VALUES (?, ?)", [
        tokenHash,
        expiresAt.getTime(),
      ]);
    },
    async expiresAt(tokenHash) {
      const row = await first(
        sql,
        "SELECT expires_at FROM dashboard_sessions WHERE token_hash = ?",
        [tokenHash],
      );
      return row ? new Date(Number(row.expires_at)) : null;
    },
    async delete(tokenHash) {
      await sql.run("DELETE FROM dashboard_sessions WHERE token_hash = ?", [tokenHash]);
    },
    deleteExpired(now) {
      return sql.run("DELETE FROM dashboard_sessions WHERE expires_at <= ?", [now.getTime()]);
    },
  };
}

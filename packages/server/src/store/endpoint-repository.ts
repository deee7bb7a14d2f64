import { insertEvent } from "./event-repository.js";
import { toEndpoint } from "./row-mappers.js";
import { first, many, one, type SqlRunner } from "./sql-runner.js";
import type { EndpointRepository } from "./store.js";

/** Health of each callback URL, for auto-disable after sustained failure. */
export function createEndpointRepository(sql: SqlRunner): EndpointRepository {
  return {
    get: (url) => one(sql, "SELECT * FROM endpoints WHERE url = ?", [url], toEndpoint),
    list: () => many(sql, "SELECT * FROM endpoints ORDER BY url", [], toEndpoint),
    async markSuccess(url) {
      await sql.run("UPDATE endpoints SET failing_since = NULL WHERE url = ?", [url]);
    },
    async markFailure(url, at) {
      const row = await first(
        sql,
        `INSERT INTO endpoints (url, failing_since) VALUES (?, ?)
         ON CONFLICT (url) DO UPDATE SET failing_since = COALESCE(endpoints.failing_since, excluded.failing_since)
         RETURNING *`,
        [url, at.getTime()],
      );
      return toEndpoint(row!);
    },
    disable(url, at, reason, alert) {
      return sql.transaction(async (tx) => {
        // Only the call that disables it is told so: a second node's call changes nothing.
        const changed = await tx.run(
          `INSERT INTO endpoints (url, disabled_at, disabled_reason) VALUES (?, ?, ?)
           ON CONFLICT (url) DO UPDATE SET disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason
           WHERE endpoints.disabled_at IS NULL`,
          [url, at.getTime(), reason],
        );
        if (changed > 0 && alert) await insertEvent(tx, alert.event, alert.deliveries);
        return changed > 0;
      });
    },
    enable(url, alert) {
      return sql.transaction(async (tx) => {
        const row = await first(
          tx,
          `SELECT disabled_at FROM endpoints WHERE url = ?${tx.forUpdate}`,
          [url],
        );
        if (!row) return false;
        await tx.run(
          "UPDATE endpoints SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL WHERE url = ?",
          [url],
        );
        if (row.disabled_at !== null && alert) await insertEvent(tx, alert.event, alert.deliveries);
        return true;
      });
    },
  };
}

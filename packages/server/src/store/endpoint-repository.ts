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
    async disable(url, at, reason) {
      await sql.run(
        `INSERT INTO endpoints (url, disabled_at, disabled_reason) VALUES (?, ?, ?)
         ON CONFLICT (url) DO UPDATE SET disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason`,
        [url, at.getTime(), reason],
      );
    },
    async enable(url) {
      const changed = await sql.run(
        "UPDATE endpoints SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL WHERE url = ?",
        [url],
      );
      return changed > 0;
    },
  };
}

import type { Clock } from "../domain/clock.js";
import { toForwardRule } from "./row-mappers.js";
import { first, many, type SqlRunner } from "./sql-runner.js";
import type { ForwardRuleRepository } from "./store.js";

/** Forward rules (CreateLiveForwardRule, docs/relay.md): one row per (domain, AppName, target). */
export function createForwardRuleRepository(sql: SqlRunner, clock: Clock): ForwardRuleRepository {
  return {
    async create(input) {
      const row = await first(
        sql,
        `INSERT INTO forward_rules (domain_name, app_name, target_url, created_at)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name, target_url) DO NOTHING
         RETURNING *`,
        [input.domainName.toLowerCase(), input.appName, input.targetUrl, clock.now().getTime()],
      );
      return row ? toForwardRule(row) : null;
    },
    list: (filter = {}) =>
      filter.domainName === undefined
        ? many(sql, "SELECT * FROM forward_rules ORDER BY created_at", [], toForwardRule)
        : many(
            sql,
            "SELECT * FROM forward_rules WHERE domain_name = ? ORDER BY created_at",
            [filter.domainName.toLowerCase()],
            toForwardRule,
          ),
    // A seek in the primary key: (domain_name, app_name) is its prefix.
    match: (domainName, appName) =>
      many(
        sql,
        `SELECT * FROM forward_rules WHERE domain_name = ? AND app_name IN (?, '')
         ORDER BY created_at`,
        [domainName.toLowerCase(), appName],
        toForwardRule,
      ),
    async count(domainName, appName) {
      const row = await first(
        sql,
        "SELECT COUNT(*) AS n FROM forward_rules WHERE domain_name = ? AND app_name = ?",
        [domainName.toLowerCase(), appName],
      );
      return Number(row?.n ?? 0);
    },
    async delete(input) {
      const changed = await sql.run(
        "DELETE FROM forward_rules WHERE domain_name = ? AND app_name = ? AND target_url = ?",
        [input.domainName.toLowerCase(), input.appName, input.targetUrl],
      );
      return changed > 0;
    },
  };
}

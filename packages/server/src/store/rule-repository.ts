import type { Clock } from "../domain/clock.js";
import { stampedNow, toRule } from "./row-mappers.js";
import { first, many, one, type SqlRunner } from "./sql-runner.js";
import type { RuleRepository } from "./store.js";

/** Callback rules (CreateLiveCallbackRule): one template per (domain, AppName). */
export function createRuleRepository(sql: SqlRunner, clock: Clock): RuleRepository {
  return {
    async create(input) {
      // One statement: two concurrent creates of the same pair cannot both succeed.
      const row = await first(
        sql,
        `INSERT INTO callback_rules (domain_name, app_name, template_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name) DO NOTHING
         RETURNING *`,
        [input.domainName, input.appName, input.templateId, ...stampedNow(clock)],
      );
      return row ? toRule(row) : null;
    },
    async upsert(input) {
      const row = await first(
        sql,
        `INSERT INTO callback_rules (domain_name, app_name, template_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name) DO UPDATE SET template_id = excluded.template_id,
           updated_at = excluded.updated_at
         RETURNING *`,
        [input.domainName, input.appName, input.templateId, ...stampedNow(clock)],
      );
      return toRule(row!);
    },
    list: () => many(sql, "SELECT * FROM callback_rules ORDER BY created_at", [], toRule),
    // One seek in callback_rules_match (migration 0012), whatever the number of rules: the exact
    // AppName sorts before the domain-wide "" rule. Domain names compare case-insensitively.
    match: (domainName, appName) =>
      one(
        sql,
        `SELECT * FROM callback_rules WHERE lower(domain_name) = ? AND app_name IN (?, '')
         ORDER BY app_name = '', created_at LIMIT 1`,
        [domainName.toLowerCase(), appName],
        toRule,
      ),
    async delete(domainName, appName) {
      const sqlText = "DELETE FROM callback_rules WHERE domain_name = ? AND app_name = ?";
      return (await sql.run(sqlText, [domainName, appName])) > 0;
    },
  };
}

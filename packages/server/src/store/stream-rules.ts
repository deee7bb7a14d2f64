import type { Clock } from "../domain/clock.js";
import { OnAirError } from "../errors.js";
import {
  num,
  type Row,
  rowMapper,
  stampedNow,
  streamKeyColumns,
  timestamps,
} from "./row-mappers.js";
import { first, many, one, placeholders, type SqlRunner } from "./sql-runner.js";

/**
 * Tencent's per-stream rules (record and snapshot rules): DomainName + AppName + StreamName, each
 * name empty for "any", bound to a template. One implementation serves every rule table and the
 * template table its rules point to.
 */
export interface StreamRule {
  domainName: string;
  appName: string;
  streamName: string;
  templateId: number;
  createdAt: Date;
  updatedAt: Date;
}

export type StreamRuleKey = Pick<StreamRule, "domainName" | "appName" | "streamName">;

/** A template table whose rows stream rules point to, with those rules. */
export interface RuleTemplates<T, Input> {
  createTemplate(input: Input): Promise<T>;
  getTemplate(id: number): Promise<T | null>;
  listTemplates(): Promise<T[]>;
  /** Replaces the template's columns (ModifyLive…Template); null when it does not exist. */
  updateTemplate(id: number, input: Input): Promise<T | null>;
  /** Throws `ONAIR_ERR_TEMPLATE_IN_USE` when a rule uses it; false when absent. */
  deleteTemplate(id: number): Promise<boolean>;
  upsertRule(input: StreamRuleKey & { templateId: number }): Promise<void>;
  listRules(): Promise<StreamRule[]>;
  deleteRule(key: StreamRuleKey): Promise<boolean>;
}

const toRule = rowMapper<StreamRule>({ ...streamKeyColumns, templateId: num, ...timestamps });

export function createRuleTemplates<T, Input>(
  sql: SqlRunner,
  clock: Clock,
  tables: {
    /** The name errors use: "record template". */
    label: string;
    templates: "record_templates" | "snapshot_templates";
    rules: "record_rules" | "snapshot_rules";
    /** The template's columns (besides id and the timestamps) and their values. */
    columns(input: Input): Record<string, unknown>;
    toTemplate(row: Row): T;
  },
): RuleTemplates<T, Input> {
  const { label, templates, rules, toTemplate } = tables;
  return {
    async createTemplate(input) {
      const values = tables.columns(input);
      const columns = [...Object.keys(values), "created_at", "updated_at"];
      const row = await first(
        sql,
        `INSERT INTO ${templates} (${columns.join(", ")}) VALUES (${placeholders(columns)}) RETURNING *`,
        [...Object.values(values), ...stampedNow(clock)],
      );
      return toTemplate(row!);
    },
    getTemplate: (id) => one(sql, `SELECT * FROM ${templates} WHERE id = ?`, [id], toTemplate),
    listTemplates: () => many(sql, `SELECT * FROM ${templates} ORDER BY id`, [], toTemplate),
    updateTemplate(id, input) {
      const values = tables.columns(input);
      const assignments = [...Object.keys(values), "updated_at"].map((c) => `${c} = ?`);
      return one(
        sql,
        `UPDATE ${templates} SET ${assignments.join(", ")} WHERE id = ? RETURNING *`,
        [...Object.values(values), clock.now().getTime(), id],
        toTemplate,
      );
    },
    async deleteTemplate(id) {
      if (await first(sql, `SELECT 1 FROM ${rules} WHERE template_id = ? LIMIT 1`, [id])) {
        throw new OnAirError("ONAIR_ERR_TEMPLATE_IN_USE", `${label} ${id} is used by a rule`, {
          tencentCode: "FailedOperation.ConfInUsed",
        });
      }
      return (await sql.run(`DELETE FROM ${templates} WHERE id = ?`, [id])) > 0;
    },
    async upsertRule(input) {
      await sql.run(
        `INSERT INTO ${rules} (domain_name, app_name, stream_name, template_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name, stream_name) DO UPDATE SET
           template_id = excluded.template_id, updated_at = excluded.updated_at`,
        [input.domainName, input.appName, input.streamName, input.templateId, ...stampedNow(clock)],
      );
    },
    async listRules() {
      return (
        await sql.all(`SELECT * FROM ${rules} ORDER BY domain_name, app_name, stream_name`)
      ).map(toRule);
    },
    async deleteRule(key) {
      const changed = await sql.run(
        `DELETE FROM ${rules} WHERE domain_name = ? AND app_name = ? AND stream_name = ?`,
        [key.domainName, key.appName, key.streamName],
      );
      return changed > 0;
    },
  };
}

/** The most specific rule for a publish: exact stream, then AppName, then the whole domain. */
export function matchStreamRule(
  rules: readonly StreamRule[],
  key: StreamRuleKey,
): StreamRule | null {
  let best: StreamRule | null = null;
  let bestScore = -1;
  for (const rule of rules) {
    if (rule.domainName !== key.domainName) continue;
    if (rule.appName !== "" && rule.appName !== key.appName) continue;
    if (rule.streamName !== "" && rule.streamName !== key.streamName) continue;
    const score = (rule.streamName ? 2 : 0) + (rule.appName ? 1 : 0);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

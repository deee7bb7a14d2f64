import { date, type Row } from "./row-mappers.js";
import type { SqlRunner } from "./sql-runner.js";

/**
 * Tencent's per-stream rules (record and snapshot rules): DomainName + AppName + StreamName, each
 * name empty for "any", bound to a template. One implementation serves every rule table.
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

export interface StreamRuleTable {
  upsertRule(input: StreamRuleKey & { templateId: number }): Promise<void>;
  listRules(): Promise<StreamRule[]>;
  deleteRule(key: StreamRuleKey): Promise<boolean>;
  /** Whether a rule uses the template (which then cannot be deleted). */
  isTemplateUsed(templateId: number): Promise<boolean>;
}

function toRule(r: Row): StreamRule {
  return {
    domainName: String(r.domain_name),
    appName: String(r.app_name),
    streamName: String(r.stream_name),
    templateId: Number(r.template_id),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function createStreamRuleTable(
  sql: SqlRunner,
  table: "record_rules" | "snapshot_rules",
): StreamRuleTable {
  return {
    async upsertRule(input) {
      const now = Date.now();
      await sql.all(
        `INSERT INTO ${table} (domain_name, app_name, stream_name, template_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name, stream_name) DO UPDATE SET
           template_id = excluded.template_id, updated_at = excluded.updated_at`,
        [input.domainName, input.appName, input.streamName, input.templateId, now, now],
      );
    },
    async listRules() {
      return (
        await sql.all(`SELECT * FROM ${table} ORDER BY domain_name, app_name, stream_name`)
      ).map(toRule);
    },
    async deleteRule(key) {
      const rows = await sql.all(
        `DELETE FROM ${table} WHERE domain_name = ? AND app_name = ? AND stream_name = ? RETURNING template_id`,
        [key.domainName, key.appName, key.streamName],
      );
      return rows.length > 0;
    },
    async isTemplateUsed(templateId) {
      return (
        (await sql.all(`SELECT 1 FROM ${table} WHERE template_id = ? LIMIT 1`, [templateId]))
          .length > 0
      );
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

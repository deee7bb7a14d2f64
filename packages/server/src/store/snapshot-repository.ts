import { OnAirError } from "../errors.js";
import { date, type Row } from "./row-mappers.js";
import type { SqlRunner } from "./sql-runner.js";

/**
 * Snapshot templates and rules, Tencent's way: a template says how often and at what size to
 * take a JPEG; a rule binds DomainName + AppName + StreamName (empty = any) to a template, the
 * most specific rule winning.
 */
export interface SnapshotTemplate {
  id: number;
  name: string;
  description: string;
  /** Seconds between screenshots (Tencent: 5–300, default 10). */
  intervalSeconds: number;
  /** 0 = the source's width (or scaled to keep the ratio when only `height` is set). */
  width: number;
  /** 0 = the source's height (or scaled to keep the ratio when only `width` is set). */
  height: number;
  /** 1 asks for porn detection (event 317) of each screenshot. */
  pornFlag: 0 | 1;
  /** Tencent's COS fields: stored and described back, unused (files stay under `/files/`). */
  cos: SnapshotCosFields;
  createdAt: Date;
  updatedAt: Date;
}

export interface SnapshotCosFields {
  CosAppId?: number;
  CosBucket?: string;
  CosRegion?: string;
  CosPrefix?: string;
  CosFileName?: string;
}

export interface SnapshotRule {
  domainName: string;
  appName: string;
  streamName: string;
  templateId: number;
  createdAt: Date;
  updatedAt: Date;
}

export type SnapshotTemplateInput = Pick<
  SnapshotTemplate,
  "name" | "description" | "intervalSeconds" | "width" | "height" | "pornFlag" | "cos"
>;

export interface SnapshotRepository {
  createTemplate(input: SnapshotTemplateInput): Promise<SnapshotTemplate>;
  getTemplate(id: number): Promise<SnapshotTemplate | null>;
  listTemplates(): Promise<SnapshotTemplate[]>;
  /** Throws `ONAIR_ERR_CONFLICT` when a rule uses it; false when absent. */
  deleteTemplate(id: number): Promise<boolean>;
  upsertRule(
    input: Pick<SnapshotRule, "domainName" | "appName" | "streamName" | "templateId">,
  ): Promise<void>;
  listRules(): Promise<SnapshotRule[]>;
  deleteRule(key: Pick<SnapshotRule, "domainName" | "appName" | "streamName">): Promise<boolean>;
}

function toTemplate(r: Row): SnapshotTemplate {
  return {
    id: Number(r.id),
    name: String(r.name),
    description: String(r.description),
    intervalSeconds: Number(r.snapshot_interval),
    width: Number(r.width),
    height: Number(r.height),
    pornFlag: Number(r.porn_flag) === 1 ? 1 : 0,
    cos: JSON.parse(String(r.cos)) as SnapshotCosFields,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

function toRule(r: Row): SnapshotRule {
  return {
    domainName: String(r.domain_name),
    appName: String(r.app_name),
    streamName: String(r.stream_name),
    templateId: Number(r.template_id),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

/** Written once for both drivers, through their `?`-placeholder runner. */
export function createSnapshotRepository(sql: SqlRunner): SnapshotRepository {
  return {
    async createTemplate(input) {
      const now = Date.now();
      const [row] = await sql.all(
        `INSERT INTO snapshot_templates (name, description, snapshot_interval, width, height,
           porn_flag, cos, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        [
          input.name,
          input.description,
          input.intervalSeconds,
          input.width,
          input.height,
          input.pornFlag,
          JSON.stringify(input.cos),
          now,
          now,
        ],
      );
      return toTemplate(row as Row);
    },
    async getTemplate(id) {
      const [row] = await sql.all("SELECT * FROM snapshot_templates WHERE id = ?", [id]);
      return row ? toTemplate(row) : null;
    },
    async listTemplates() {
      return (await sql.all("SELECT * FROM snapshot_templates ORDER BY id")).map(toTemplate);
    },
    async deleteTemplate(id) {
      const used = await sql.all("SELECT 1 FROM snapshot_rules WHERE template_id = ? LIMIT 1", [
        id,
      ]);
      if (used.length) {
        throw new OnAirError("ONAIR_ERR_CONFLICT", `snapshot template ${id} is used by a rule`, {
          tencentCode: "FailedOperation.ConfInUsed",
        });
      }
      return (
        (await sql.all("DELETE FROM snapshot_templates WHERE id = ? RETURNING id", [id])).length > 0
      );
    },
    async upsertRule(input) {
      const now = Date.now();
      await sql.all(
        `INSERT INTO snapshot_rules (domain_name, app_name, stream_name, template_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name, stream_name) DO UPDATE SET
           template_id = excluded.template_id, updated_at = excluded.updated_at`,
        [input.domainName, input.appName, input.streamName, input.templateId, now, now],
      );
    },
    async listRules() {
      return (
        await sql.all("SELECT * FROM snapshot_rules ORDER BY domain_name, app_name, stream_name")
      ).map(toRule);
    },
    async deleteRule(key) {
      const rows = await sql.all(
        "DELETE FROM snapshot_rules WHERE domain_name = ? AND app_name = ? AND stream_name = ? RETURNING template_id",
        [key.domainName, key.appName, key.streamName],
      );
      return rows.length > 0;
    },
  };
}

/** The most specific rule for a publish: exact stream, then AppName, then the whole domain. */
export function matchSnapshotRule(
  rules: readonly SnapshotRule[],
  key: { domainName: string; appName: string; streamName: string },
): SnapshotRule | null {
  let best: SnapshotRule | null = null;
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

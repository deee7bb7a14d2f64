import { OnAirError } from "../errors.js";
import { date, type Row } from "./row-mappers.js";
import type { SqlRunner } from "./sql-runner.js";
import { createStreamRuleTable, type StreamRule, type StreamRuleTable } from "./stream-rules.js";

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

export type SnapshotRule = StreamRule;

export type SnapshotTemplateInput = Pick<
  SnapshotTemplate,
  "name" | "description" | "intervalSeconds" | "width" | "height" | "pornFlag" | "cos"
>;

export interface SnapshotRepository extends Omit<StreamRuleTable, "isTemplateUsed"> {
  createTemplate(input: SnapshotTemplateInput): Promise<SnapshotTemplate>;
  getTemplate(id: number): Promise<SnapshotTemplate | null>;
  listTemplates(): Promise<SnapshotTemplate[]>;
  /** Throws `ONAIR_ERR_TEMPLATE_IN_USE` when a rule uses it; false when absent. */
  deleteTemplate(id: number): Promise<boolean>;
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

/** Written once for both drivers, through their `?`-placeholder runner. */
export function createSnapshotRepository(sql: SqlRunner): SnapshotRepository {
  const rules = createStreamRuleTable(sql, "snapshot_rules");
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
      if (await rules.isTemplateUsed(id)) {
        throw new OnAirError(
          "ONAIR_ERR_TEMPLATE_IN_USE",
          `snapshot template ${id} is used by a rule`,
          {
            tencentCode: "FailedOperation.ConfInUsed",
          },
        );
      }
      return (
        (await sql.all("DELETE FROM snapshot_templates WHERE id = ? RETURNING id", [id])).length > 0
      );
    },
    ...rules,
  };
}

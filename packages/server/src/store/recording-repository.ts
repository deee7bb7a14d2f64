import { OnAirError } from "../errors.js";
import { date, type Row } from "./row-mappers.js";
import type { SqlRunner } from "./sql-runner.js";
import { createStreamRuleTable, type StreamRule, type StreamRuleTable } from "./stream-rules.js";

/**
 * Record templates and rules, Tencent's way: a template holds one `RecordParam` per format
 * (FlvParam, HlsParam, Mp4Param, AacParam); a rule binds DomainName + AppName + StreamName
 * (empty = any) to a template, the most specific rule winning.
 */
export interface RecordParam {
  /** Seconds per file (Tencent: 60–7200, default 1800). */
  RecordInterval: number;
  /** Seconds to keep the files (0 = forever). */
  StorageTime: number;
  /** 1 records this format. */
  Enable: 0 | 1;
}

export type RecordFormat = "Flv" | "Hls" | "Mp4" | "Aac";

export interface RecordTemplate {
  id: number;
  name: string;
  description: string;
  params: Partial<Record<RecordFormat, RecordParam>>;
  createdAt: Date;
  updatedAt: Date;
}

export type RecordRule = StreamRule;

export interface RecordingRepository extends Omit<StreamRuleTable, "isTemplateUsed"> {
  createTemplate(
    input: Pick<RecordTemplate, "name" | "description" | "params">,
  ): Promise<RecordTemplate>;
  getTemplate(id: number): Promise<RecordTemplate | null>;
  listTemplates(): Promise<RecordTemplate[]>;
  /** Throws `ONAIR_ERR_TEMPLATE_IN_USE` when a rule uses it; false when absent. */
  deleteTemplate(id: number): Promise<boolean>;
  /** Remembers a reported file; `expiresAt` null keeps it forever (StorageTime 0). */
  addFile(input: { path: string; format: string; expiresAt: Date | null }): Promise<void>;
  /** Whether a file (path under `files/`) was reported already. */
  hasFile(path: string): Promise<boolean>;
  /** Removes and returns up to `limit` files whose StorageTime ran out by `now`. */
  takeExpiredFiles(now: Date, limit: number): Promise<{ path: string; format: string }[]>;
}

function toTemplate(r: Row): RecordTemplate {
  return {
    id: Number(r.id),
    name: String(r.name),
    description: String(r.description),
    params: JSON.parse(String(r.params)),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function createRecordingRepository(sql: SqlRunner): RecordingRepository {
  const rules = createStreamRuleTable(sql, "record_rules");
  return {
    async createTemplate(input) {
      const now = Date.now();
      const [row] = await sql.all(
        `INSERT INTO record_templates (name, description, params, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?) RETURNING *`,
        [input.name, input.description, JSON.stringify(input.params), now, now],
      );
      return toTemplate(row as Row);
    },
    async getTemplate(id) {
      const [row] = await sql.all("SELECT * FROM record_templates WHERE id = ?", [id]);
      return row ? toTemplate(row) : null;
    },
    async listTemplates() {
      return (await sql.all("SELECT * FROM record_templates ORDER BY id")).map(toTemplate);
    },
    async deleteTemplate(id) {
      if (await rules.isTemplateUsed(id)) {
        throw new OnAirError(
          "ONAIR_ERR_TEMPLATE_IN_USE",
          `record template ${id} is used by a rule`,
          {
            tencentCode: "FailedOperation.ConfInUsed",
          },
        );
      }
      return (
        (await sql.all("DELETE FROM record_templates WHERE id = ? RETURNING id", [id])).length > 0
      );
    },
    ...rules,
    async addFile(input) {
      await sql.all(
        `INSERT INTO record_files (path, format, expires_at, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET expires_at = excluded.expires_at`,
        [input.path, input.format, input.expiresAt?.getTime() ?? null, Date.now()],
      );
    },
    async hasFile(path) {
      return (await sql.all("SELECT 1 FROM record_files WHERE path = ?", [path])).length > 0;
    },
    async takeExpiredFiles(now, limit) {
      // One DELETE … RETURNING: with several nodes, each expired file is removed by one of them.
      const rows = await sql.all(
        `DELETE FROM record_files WHERE path IN (
           SELECT path FROM record_files WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)
         RETURNING path, format`,
        [now.getTime(), limit],
      );
      return rows.map((r) => ({ path: String(r.path), format: String(r.format) }));
    },
  };
}

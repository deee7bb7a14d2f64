import { OnAirError } from "../errors.js";
import { date, type Row } from "./row-mappers.js";
import type { SqlRunner } from "./sql-runner.js";

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

export interface RecordRule {
  domainName: string;
  appName: string;
  streamName: string;
  templateId: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecordingRepository {
  createTemplate(
    input: Pick<RecordTemplate, "name" | "description" | "params">,
  ): Promise<RecordTemplate>;
  getTemplate(id: number): Promise<RecordTemplate | null>;
  listTemplates(): Promise<RecordTemplate[]>;
  /** Throws `ONAIR_ERR_CONFLICT` when a rule uses it; false when absent. */
  deleteTemplate(id: number): Promise<boolean>;
  upsertRule(
    input: Pick<RecordRule, "domainName" | "appName" | "streamName" | "templateId">,
  ): Promise<void>;
  listRules(): Promise<RecordRule[]>;
  deleteRule(key: Pick<RecordRule, "domainName" | "appName" | "streamName">): Promise<boolean>;
  /** Remembers a reported file; `expiresAt` null keeps it forever (StorageTime 0). */
  addFile(input: { path: string; format: string; expiresAt: Date | null }): Promise<void>;
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

function toRule(r: Row): RecordRule {
  return {
    domainName: String(r.domain_name),
    appName: String(r.app_name),
    streamName: String(r.stream_name),
    templateId: Number(r.template_id),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function createRecordingRepository(sql: SqlRunner): RecordingRepository {
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
      const used = await sql.all("SELECT 1 FROM record_rules WHERE template_id = ? LIMIT 1", [id]);
      if (used.length) {
        throw new OnAirError("ONAIR_ERR_CONFLICT", `record template ${id} is used by a rule`, {
          tencentCode: "FailedOperation.ConfInUsed",
        });
      }
      return (
        (await sql.all("DELETE FROM record_templates WHERE id = ? RETURNING id", [id])).length > 0
      );
    },
    async upsertRule(input) {
      const now = Date.now();
      await sql.all(
        `INSERT INTO record_rules (domain_name, app_name, stream_name, template_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name, stream_name) DO UPDATE SET
           template_id = excluded.template_id, updated_at = excluded.updated_at`,
        [input.domainName, input.appName, input.streamName, input.templateId, now, now],
      );
    },
    async listRules() {
      return (
        await sql.all("SELECT * FROM record_rules ORDER BY domain_name, app_name, stream_name")
      ).map(toRule);
    },
    async addFile(input) {
      await sql.all(
        `INSERT INTO record_files (path, format, expires_at, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET expires_at = excluded.expires_at`,
        [input.path, input.format, input.expiresAt?.getTime() ?? null, Date.now()],
      );
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
    async deleteRule(key) {
      const rows = await sql.all(
        "DELETE FROM record_rules WHERE domain_name = ? AND app_name = ? AND stream_name = ? RETURNING template_id",
        [key.domainName, key.appName, key.streamName],
      );
      return rows.length > 0;
    },
  };
}

/** The most specific rule for a publish: exact stream, then AppName, then the whole domain. */
export function matchRecordRule(
  rules: readonly RecordRule[],
  key: { domainName: string; appName: string; streamName: string },
): RecordRule | null {
  let best: RecordRule | null = null;
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

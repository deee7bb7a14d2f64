import type { Clock } from "../domain/clock.js";
import { json, num, parsed, rowMapper, text, timestamps } from "./row-mappers.js";
import type { SqlRunner } from "./sql-runner.js";
import { createRuleTemplates, type RuleTemplates, type StreamRule } from "./stream-rules.js";

/**
 * Record templates and rules, Tencent's way: a template holds one `RecordParam` per format
 * (FlvParam, HlsParam, Mp4Param, AacParam, Mp3Param) and the HLS and FLV special params; a rule binds DomainName + AppName + StreamName
 * (empty = any) to a template, the most specific rule winning.
 */
export interface RecordParam {
  /** Seconds per file (Tencent: 60–43200, AAC 60–7200, default 1800; no effect on HLS). */
  RecordInterval: number;
  /** Seconds to keep the files (0 = forever). */
  StorageTime: number;
  /** 1 records this format. */
  Enable: 0 | 1;
}

export type RecordFormat = "Flv" | "Hls" | "Mp4" | "Aac" | "Mp3";

/** Tencent's HlsSpecialParam and FlvSpecialParam, stored and described back. */
export interface RecordSpecialParams {
  /** HlsSpecialParam.FlowContinueDuration: seconds a re-push continues the HLS file (0–1800). */
  HlsSpecialParam?: { FlowContinueDuration?: number };
  /** FlvSpecialParam.UploadInRecording: upload while recording (FLV only). */
  FlvSpecialParam?: { UploadInRecording?: boolean };
}

export interface RecordTemplate {
  id: number;
  name: string;
  description: string;
  params: Partial<Record<RecordFormat, RecordParam>>;
  special: RecordSpecialParams;
  createdAt: Date;
  updatedAt: Date;
}

export type RecordRule = StreamRule;

/** What a template is made of; `special` defaults to none. */
export type RecordTemplateInput = Pick<RecordTemplate, "name" | "description" | "params"> & {
  special?: RecordSpecialParams;
};

export interface RecordingRepository extends RuleTemplates<RecordTemplate, RecordTemplateInput> {
  /** Remembers a reported file; `expiresAt` null keeps it forever (StorageTime 0). */
  addFile(input: { path: string; format: string; expiresAt: Date | null }): Promise<void>;
  /** Whether a file (path under `files/`) was reported already. */
  hasFile(path: string): Promise<boolean>;
  /** Removes and returns up to `limit` files whose StorageTime ran out by `now`. */
  takeExpiredFiles(now: Date, limit: number): Promise<{ path: string; format: string }[]>;
}

const toTemplate = rowMapper<RecordTemplate>({
  id: num,
  name: text,
  description: text,
  params: parsed(),
  special: ["special_params", parsed()],
  ...timestamps,
});

export function createRecordingRepository(sql: SqlRunner, clock: Clock): RecordingRepository {
  return {
    ...createRuleTemplates(sql, clock, {
      label: "record template",
      templates: "record_templates",
      rules: "record_rules",
      columns: (input: RecordTemplateInput) => ({
        name: input.name,
        description: input.description,
        params: json(input.params),
        special_params: json(input.special ?? {}),
      }),
      toTemplate,
    }),
    async addFile(input) {
      await sql.run(
        `INSERT INTO record_files (path, format, expires_at, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET expires_at = excluded.expires_at`,
        [input.path, input.format, input.expiresAt?.getTime() ?? null, clock.now().getTime()],
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

import type { Clock } from "../domain/clock.js";
import { bit, json, num, parsed, rowMapper, text, timestamps } from "./row-mappers.js";
import type { SqlRunner } from "./sql-runner.js";
import { createRuleTemplates, type RuleTemplates, type StreamRule } from "./stream-rules.js";

/**
 * Snapshot templates and rules, Tencent's way: a template says how often and at what size to
 * take a JPEG; a rule binds DomainName + AppName + StreamName (empty = any) to a template, the
 * most specific rule winning.
 */
export interface SnapshotTemplate {
  id: number;
  name: string;
  description: string;
  /** Seconds between screenshots (Tencent: 2–300 on Create, 5–300 on Modify; default 10). */
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

export type SnapshotTemplateInput = Omit<SnapshotTemplate, "id" | "createdAt" | "updatedAt">;

export type SnapshotRepository = RuleTemplates<SnapshotTemplate, SnapshotTemplateInput>;

const toTemplate = rowMapper<SnapshotTemplate>({
  id: num,
  name: text,
  description: text,
  intervalSeconds: ["snapshot_interval", num],
  width: num,
  height: num,
  pornFlag: bit,
  cos: parsed(),
  ...timestamps,
});

/** Written once for both drivers, through their `?`-placeholder runner. */
export function createSnapshotRepository(sql: SqlRunner, clock: Clock): SnapshotRepository {
  return createRuleTemplates(sql, clock, {
    label: "snapshot template",
    templates: "snapshot_templates",
    rules: "snapshot_rules",
    columns: (input: SnapshotTemplateInput) => ({
      name: input.name,
      description: input.description,
      snapshot_interval: input.intervalSeconds,
      width: input.width,
      height: input.height,
      porn_flag: input.pornFlag,
      cos: json(input.cos),
    }),
    toTemplate,
  });
}

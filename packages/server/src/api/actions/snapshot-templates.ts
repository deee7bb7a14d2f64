import { z } from "zod";
import { OnAirError } from "../../errors.js";
import type { SnapshotCosFields, SnapshotTemplate } from "../../store/snapshot-repository.js";
import { defineAction } from "../action.js";
import { flag, tencentName } from "../fields.js";
import type { SnapshotTemplateInfo } from "../wire-types.js";
import { streamRuleActions } from "./stream-rule-actions.js";
import { templateActions, templateNotFound } from "./template-actions.js";

/**
 * Screenshot configuration, Tencent's way (CreateLiveSnapshotTemplate,
 * ModifyLiveSnapshotTemplate, DescribeLiveSnapshotTemplate(s), DeleteLiveSnapshotTemplate,
 * CreateLiveSnapshotRule, DescribeLiveSnapshotRules, DeleteLiveSnapshotRule). Screenshots are
 * written under `/files/`
 * (docs/snapshots.md), so the COS fields Tencent requires are optional here, stored and described
 * back, and otherwise ignored.
 */

const DEFAULT_INTERVAL_S = 10;
const MAX_INTERVAL_S = 300;
/**
 * SnapshotInterval's floor per request: CreateLiveSnapshotTemplate documents 2–300 s (Tencent
 * 267/32624), ModifyLiveSnapshotTemplate and SnapshotTemplateInfo 5–300 s. Each request's own
 * range governs what it accepts; `snapshot.minIntervalSeconds` (default 2) can only lower Create's
 * floor (tests) or raise both.
 */
const MODIFY_MIN_INTERVAL_S = 5;
const MAX_WIDTH = 3000;
const MAX_HEIGHT = 2000;

function checkInterval(seconds: number, min: number): number {
  if (seconds < min || seconds > MAX_INTERVAL_S) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      `SnapshotInterval must be between ${min} and ${MAX_INTERVAL_S} seconds`,
    );
  }
  return seconds;
}

/** Tencent's SnapshotTemplateInfo. */
function describeTemplate(t: SnapshotTemplate): SnapshotTemplateInfo {
  return {
    TemplateId: t.id,
    TemplateName: t.name,
    Description: t.description,
    SnapshotInterval: t.intervalSeconds,
    Width: t.width,
    Height: t.height,
    PornFlag: t.pornFlag,
    CosAppId: t.cos.CosAppId ?? 0,
    CosBucket: t.cos.CosBucket ?? "",
    CosRegion: t.cos.CosRegion ?? "",
    CosPrefix: t.cos.CosPrefix ?? null,
    CosFileName: t.cos.CosFileName ?? null,
  };
}

const templateName = tencentName(255).refine((s) => s.length > 0, "must not be empty");

const sizeAndCos = {
  Width: z.number().int().min(0).max(MAX_WIDTH).optional(),
  Height: z.number().int().min(0).max(MAX_HEIGHT).optional(),
  PornFlag: flag.optional(),
  CosAppId: z.number().int().optional(),
  CosBucket: z.string().max(256).optional(),
  CosRegion: z.string().max(64).optional(),
  CosPrefix: z.string().max(1024).optional(),
  CosFileName: z.string().max(1024).optional(),
};

export const createLiveSnapshotTemplate = defineAction({
  name: "CreateLiveSnapshotTemplate",
  params: z
    .object({
      TemplateName: templateName,
      Description: tencentName(1024).optional(),
      SnapshotInterval: z.number().int().optional(),
      ...sizeAndCos,
    })
    .strict(),
  async run(p, ctx) {
    const template = await ctx.store.snapshots.createTemplate({
      name: p.TemplateName,
      description: p.Description ?? "",
      intervalSeconds: checkInterval(
        p.SnapshotInterval ?? DEFAULT_INTERVAL_S,
        ctx.config.snapshot.minIntervalSeconds,
      ),
      width: p.Width ?? 0,
      height: p.Height ?? 0,
      pornFlag: p.PornFlag ?? 0,
      cos: {
        CosAppId: p.CosAppId,
        CosBucket: p.CosBucket,
        CosRegion: p.CosRegion,
        CosPrefix: p.CosPrefix,
        CosFileName: p.CosFileName,
      },
    });
    return { TemplateId: template.id };
  },
});

/**
 * ModifyLiveSnapshotTemplate: an omitted parameter keeps its value. Tencent now requires the COS
 * fields here; OnAir, which writes screenshots under `/files/`, keeps them optional as on Create.
 * Publishes already being captured keep their schedule; later ones use the new one.
 */
export const modifyLiveSnapshotTemplate = defineAction({
  name: "ModifyLiveSnapshotTemplate",
  params: z
    .object({
      TemplateId: z.number().int(),
      TemplateName: templateName.optional(),
      Description: tencentName(1024).optional(),
      SnapshotInterval: z.number().int().optional(),
      ...sizeAndCos,
    })
    .strict(),
  async run(p, ctx) {
    const current = await ctx.store.snapshots.getTemplate(p.TemplateId);
    if (!current) throw templateNotFound("Snapshot", p.TemplateId);
    const min = Math.max(MODIFY_MIN_INTERVAL_S, ctx.config.snapshot.minIntervalSeconds);
    const given: SnapshotCosFields = {
      CosAppId: p.CosAppId,
      CosBucket: p.CosBucket,
      CosRegion: p.CosRegion,
      CosPrefix: p.CosPrefix,
      CosFileName: p.CosFileName,
    };
    const cos: SnapshotCosFields = {
      ...current.cos,
      ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
    };
    const updated = await ctx.store.snapshots.updateTemplate(p.TemplateId, {
      name: p.TemplateName ?? current.name,
      description: p.Description ?? current.description,
      intervalSeconds:
        p.SnapshotInterval === undefined
          ? current.intervalSeconds
          : checkInterval(p.SnapshotInterval, min),
      width: p.Width ?? current.width,
      height: p.Height ?? current.height,
      pornFlag: p.PornFlag ?? current.pornFlag,
      cos,
    });
    if (!updated) throw templateNotFound("Snapshot", p.TemplateId);
    return {};
  },
});

/** DescribeLiveSnapshotTemplate(s) and DeleteLiveSnapshotTemplate. */
export const snapshotTemplateReads = templateActions({
  kind: "Snapshot",
  table: (store) => store.snapshots,
  render: describeTemplate,
});

export const [createLiveSnapshotRule, describeLiveSnapshotRules, deleteLiveSnapshotRule] =
  streamRuleActions({ kind: "Snapshot", repository: (store) => store.snapshots });

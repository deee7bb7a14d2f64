import { z } from "zod";
import { OnAirError } from "../../errors.js";
import type {
  RecordFormat,
  RecordParam,
  RecordTemplate,
} from "../../store/recording-repository.js";
import { type ActionContext, defineAction } from "../action.js";
import { flag, tencentName } from "../fields.js";
import type { RecordTemplateInfo } from "../wire-types.js";
import { streamRuleActions } from "./stream-rule-actions.js";
import { templateActions } from "./template-actions.js";

/**
 * Recording configuration, Tencent's way (CreateLiveRecordTemplate, DescribeLiveRecordTemplate(s),
 * DeleteLiveRecordTemplate, CreateLiveRecordRule, DescribeLiveRecordRules, DeleteLiveRecordRule).
 * OnAir records FLV natively (docs/recording.md); HlsParam, Mp4Param and AacParam are stored and
 * described back but not recorded yet. Tencent's VOD/COS fields are accepted and ignored.
 */

const FORMATS: readonly RecordFormat[] = ["Flv", "Hls", "Mp4", "Aac"];
const DEFAULT_INTERVAL_S = 1800;
const MAX_INTERVAL_S = 7200;
const MAX_STORAGE_S = 1500 * 86_400;

/** Tencent's RecordParam; the VOD and COS fields a self-hosted recorder has no use for pass. */
const recordParam = z
  .object({
    RecordInterval: z.number().int().optional(),
    StorageTime: z.number().int().min(0).max(MAX_STORAGE_S).optional(),
    Enable: flag.optional(),
    VodSubAppId: z.number().int().optional(),
    VodFileName: z.string().optional(),
    Procedure: z.string().optional(),
    StorageMode: z.string().optional(),
    ClassId: z.number().int().optional(),
    CosBucketName: z.string().optional(),
    CosBucketRegion: z.string().optional(),
    CosBucketPath: z.string().optional(),
  })
  .strict();

function toParam(
  input: z.output<typeof recordParam>,
  ctx: ActionContext,
  name: string,
): RecordParam {
  const interval = input.RecordInterval ?? DEFAULT_INTERVAL_S;
  const min = ctx.config.recording.minIntervalSeconds;
  if (interval < min || interval > MAX_INTERVAL_S) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      `${name}.RecordInterval must be between ${min} and ${MAX_INTERVAL_S} seconds`,
    );
  }
  return {
    RecordInterval: interval,
    StorageTime: input.StorageTime ?? 0,
    Enable: input.Enable ?? 0,
  };
}

function describeTemplate(t: RecordTemplate): RecordTemplateInfo {
  const info: RecordTemplateInfo = {
    TemplateId: t.id,
    TemplateName: t.name,
    Description: t.description,
    IsDelayLive: 0,
    RemoveWatermark: false,
    CosStore: 0,
  };
  for (const format of FORMATS) {
    const param = t.params[format];
    if (param) info[`${format}Param`] = param;
  }
  return info;
}

export const createLiveRecordTemplate = defineAction({
  name: "CreateLiveRecordTemplate",
  params: z
    .object({
      TemplateName: tencentName(30).refine((s) => s.length > 0, "must not be empty"),
      Description: tencentName(100).optional(),
      FlvParam: recordParam.optional(),
      HlsParam: recordParam.optional(),
      Mp4Param: recordParam.optional(),
      AacParam: recordParam.optional(),
      Mp3Param: recordParam.optional(),
      IsDelayLive: z.number().int().min(0).max(1).optional(),
      HlsSpecialParam: z.record(z.string(), z.unknown()).optional(),
      FlvSpecialParam: z.record(z.string(), z.unknown()).optional(),
      CosStore: z.number().int().optional(),
      RemoveWatermark: z.boolean().optional(),
    })
    .strict(),
  async run(p, ctx) {
    const params: Partial<Record<RecordFormat, RecordParam>> = {};
    for (const format of FORMATS) {
      const input = p[`${format}Param`];
      if (input) params[format] = toParam(input, ctx, `${format}Param`);
    }
    const template = await ctx.store.recording.createTemplate({
      name: p.TemplateName,
      description: p.Description ?? "",
      params,
    });
    return { TemplateId: template.id };
  },
});

/** DescribeLiveRecordTemplate(s) and DeleteLiveRecordTemplate. */
export const recordTemplateReads = templateActions({
  kind: "Record",
  table: (store) => store.recording,
  render: describeTemplate,
  listParams: { IsDelayLive: z.number().int().min(0).max(1).optional() },
});

export const [createLiveRecordRule, describeLiveRecordRules, deleteLiveRecordRule] =
  streamRuleActions({ kind: "Record", repository: (store) => store.recording });

import { z } from "zod";
import { OnAirError } from "../../errors.js";
import type {
  RecordFormat,
  RecordParam,
  RecordSpecialParams,
  RecordTemplate,
} from "../../store/recording-repository.js";
import { type ActionContext, defineAction } from "../action.js";
import { flag, tencentName } from "../fields.js";
import type { RecordTemplateInfo } from "../wire-types.js";
import { streamRuleActions } from "./stream-rule-actions.js";
import { templateActions, templateNotFound } from "./template-actions.js";

/**
 * Recording configuration, Tencent's way (CreateLiveRecordTemplate, ModifyLiveRecordTemplate,
 * DescribeLiveRecordTemplate(s), DeleteLiveRecordTemplate, CreateLiveRecordRule,
 * DescribeLiveRecordRules, DeleteLiveRecordRule). OnAir records FlvParam natively and Mp4Param,
 * HlsParam, AacParam and Mp3Param through ffmpeg (docs/recording.md); HlsSpecialParam and
 * FlvSpecialParam are stored and described back but not applied. Tencent's VOD/COS fields are
 * accepted and ignored.
 */

const FORMATS: readonly RecordFormat[] = ["Flv", "Hls", "Mp4", "Aac", "Mp3"];
const DEFAULT_INTERVAL_S = 1800;
/**
 * RecordParam.RecordInterval (tencentcloud-sdk live_models RecordParam, Tencent 267/32614):
 * "FLV、MP4取值范围：60-43200，AAC取值范围：60-7200", and no effect on HLS (one file from push to
 * interruption). Older pages said 60–7200 for every format; the request's range governs.
 */
const MAX_INTERVAL_S: Record<RecordFormat, number | null> = {
  Flv: 43_200,
  Mp4: 43_200,
  Mp3: 43_200,
  Aac: 7_200,
  Hls: null,
};
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
type RecordParamInput = z.output<typeof recordParam>;

/** HlsSpecialParam.FlowContinueDuration: 0–1800 s (live_models HlsSpecialParam). */
const hlsSpecialParam = z
  .object({ FlowContinueDuration: z.number().int().min(0).max(1800).optional() })
  .strict();
const flvSpecialParam = z.object({ UploadInRecording: z.boolean().optional() }).strict();

const formatParams = {
  FlvParam: recordParam.optional(),
  HlsParam: recordParam.optional(),
  Mp4Param: recordParam.optional(),
  AacParam: recordParam.optional(),
  Mp3Param: recordParam.optional(),
  HlsSpecialParam: hlsSpecialParam.optional(),
  FlvSpecialParam: flvSpecialParam.optional(),
  RemoveWatermark: z.boolean().optional(),
};

/** `input` over `base` (Modify keeps what it is not given), range-checked for `format`. */
function toParam(
  format: RecordFormat,
  input: RecordParamInput,
  base: RecordParam | undefined,
  ctx: ActionContext,
): RecordParam {
  const interval = input.RecordInterval ?? base?.RecordInterval ?? DEFAULT_INTERVAL_S;
  const max = MAX_INTERVAL_S[format];
  if (max === null) {
    // HLS: Tencent ignores the interval; OnAir uses it only as the TS segment length (≤ 10 s).
    if (interval < 1) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `${format}Param.RecordInterval must be a positive number of seconds`,
      );
    }
  } else {
    const min = ctx.config.recording.minIntervalSeconds;
    if (interval < min || interval > max) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `${format}Param.RecordInterval must be between ${min} and ${max} seconds`,
      );
    }
  }
  return {
    RecordInterval: interval,
    StorageTime: input.StorageTime ?? base?.StorageTime ?? 0,
    Enable: input.Enable ?? base?.Enable ?? 0,
  };
}

function toParams(
  p: Partial<Record<`${RecordFormat}Param`, RecordParamInput | undefined>>,
  current: RecordTemplate["params"],
  ctx: ActionContext,
): RecordTemplate["params"] {
  const params: RecordTemplate["params"] = { ...current };
  for (const format of FORMATS) {
    const input = p[`${format}Param`];
    if (input) params[format] = toParam(format, input, current[format], ctx);
  }
  return params;
}

function toSpecial(
  p: Pick<z.output<z.ZodObject<typeof formatParams>>, "HlsSpecialParam" | "FlvSpecialParam">,
  current: RecordSpecialParams,
): RecordSpecialParams {
  const special: RecordSpecialParams = { ...current };
  if (p.HlsSpecialParam) special.HlsSpecialParam = { ...p.HlsSpecialParam };
  if (p.FlvSpecialParam) special.FlvSpecialParam = { ...p.FlvSpecialParam };
  return special;
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
  if (t.special.HlsSpecialParam) info.HlsSpecialParam = t.special.HlsSpecialParam;
  if (t.special.FlvSpecialParam) info.FlvSpecialParam = t.special.FlvSpecialParam;
  return info;
}

const templateName = tencentName(30).refine((s) => s.length > 0, "must not be empty");

export const createLiveRecordTemplate = defineAction({
  name: "CreateLiveRecordTemplate",
  params: z
    .object({
      TemplateName: templateName,
      Description: tencentName(100).optional(),
      ...formatParams,
      IsDelayLive: z.number().int().min(0).max(1).optional(),
      CosStore: z.number().int().optional(),
    })
    .strict(),
  async run(p, ctx) {
    const template = await ctx.store.recording.createTemplate({
      name: p.TemplateName,
      description: p.Description ?? "",
      params: toParams(p, {}, ctx),
      special: toSpecial(p, {}),
    });
    return { TemplateId: template.id };
  },
});

/**
 * ModifyLiveRecordTemplate: an omitted parameter keeps its value; a given `<Format>Param`
 * changes the fields it has. Publishes that start afterwards record with the new settings.
 */
export const modifyLiveRecordTemplate = defineAction({
  name: "ModifyLiveRecordTemplate",
  params: z
    .object({
      TemplateId: z.number().int(),
      TemplateName: templateName.optional(),
      Description: tencentName(100).optional(),
      ...formatParams,
    })
    .strict(),
  async run(p, ctx) {
    const current = await ctx.store.recording.getTemplate(p.TemplateId);
    if (!current) throw templateNotFound("Record", p.TemplateId);
    const updated = await ctx.store.recording.updateTemplate(p.TemplateId, {
      name: p.TemplateName ?? current.name,
      description: p.Description ?? current.description,
      params: toParams(p, current.params, ctx),
      special: toSpecial(p, current.special),
    });
    if (!updated) throw templateNotFound("Record", p.TemplateId);
    return {};
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

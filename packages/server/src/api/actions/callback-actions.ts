import { z } from "zod";
import { refusalReason } from "../../dispatcher/ssrf-guard.js";
import {
  CALLBACK_URL_FIELDS,
  type CallbackTemplate,
  type CallbackUrlField,
} from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import type { TemplateInput } from "../../store/store.js";
import type { ActionContext, ActionHandler } from "../action.js";
import { beijingTime, parseParams } from "../params.js";

const TEMPLATE_NAME = /^[\p{Script=Han}A-Za-z0-9_-]+$/u;
const byteLength = (s: string) => Buffer.byteLength(s, "utf8");

const urlField = z.string().max(2048);
const urlFields = Object.fromEntries(
  CALLBACK_URL_FIELDS.map((f) => [f, urlField.optional()]),
) as Record<CallbackUrlField, z.ZodOptional<z.ZodString>>;

/** OnAir extension: a template's own delivery policy. */
const retryPolicy = z
  .object({
    MaxRetries: z.number().int().min(0).max(100),
    IntervalMs: z.number().int().min(0).max(86_400_000),
    TimeoutMs: z.number().int().min(1).max(120_000),
    Jitter: z.number().min(0).max(1).optional(),
  })
  .strict();

const templateFields = {
  TemplateName: z
    .string()
    .min(1)
    .refine(
      (s) => byteLength(s) <= 255 && TEMPLATE_NAME.test(s),
      "at most 255 bytes of Chinese, letters, digits, _ and -",
    ),
  Description: z
    .string()
    .refine(
      (s) => byteLength(s) <= 1024 && (s === "" || TEMPLATE_NAME.test(s)),
      "at most 1024 bytes of Chinese, letters, digits, _ and -",
    )
    .optional(),
  ...urlFields,
  CallbackKey: z
    .string()
    .regex(/^[A-Za-z0-9]{0,32}$/, "at most 32 letters and digits")
    .optional(),
  RecordExceptionLevels: z.array(z.enum(["error", "warning", "info"])).optional(),
  OnAirRetryPolicy: retryPolicy.optional(),
  OnAirPerStreamOrdering: z.boolean().optional(),
};

const createSchema = z.object(templateFields).strict();
const modifySchema = z
  .object({
    TemplateId: z.number().int(),
    ...templateFields,
    TemplateName: templateFields.TemplateName.optional(),
  })
  .strict();
const idSchema = z.object({ TemplateId: z.number().int() }).strict();
const ruleSchema = z
  .object({
    DomainName: z.string().min(1).max(255),
    AppName: z.string().max(255),
    TemplateId: z.number().int(),
  })
  .strict();
const deleteRuleSchema = z.object({ DomainName: z.string().min(1), AppName: z.string() }).strict();

/** Checks each non-empty URL: http(s), and not on an address the SSRF guard always refuses. */
function checkUrls(urls: Partial<Record<CallbackUrlField, string>>, ctx: ActionContext): void {
  for (const [field, value] of Object.entries(urls)) {
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", `${field} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `${field} must be an http or https URL`,
      );
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const literal = /^[\d.]+$/.test(host) || host.includes(":");
    const reason =
      host === "metadata.google.internal"
        ? "a cloud metadata host"
        : literal
          ? refusalReason(host, ctx.config.callbackAllowPrivate)
          : null;
    if (reason) throw new OnAirError("ONAIR_ERR_UNSAFE_URL", `${field} is not allowed: ${reason}`);
  }
}

function pickUrls(
  params: Partial<Record<CallbackUrlField, string | undefined>>,
): Partial<Record<CallbackUrlField, string>> {
  const urls: Partial<Record<CallbackUrlField, string>> = {};
  for (const field of CALLBACK_URL_FIELDS) {
    const value = params[field];
    if (value !== undefined) urls[field] = value;
  }
  return urls;
}

function toPolicy(p: z.infer<typeof retryPolicy> | undefined) {
  return p
    ? {
        maxRetries: p.MaxRetries,
        intervalMs: p.IntervalMs,
        timeoutMs: p.TimeoutMs,
        jitter: p.Jitter ?? 0,
      }
    : null;
}

/** CallBackTemplateInfo, Tencent's shape, plus OnAir's extension fields. */
function templateInfo(t: CallbackTemplate): Record<string, unknown> {
  const info: Record<string, unknown> = {
    TemplateId: t.id,
    TemplateName: t.name,
    Description: t.description,
  };
  for (const field of CALLBACK_URL_FIELDS) info[field] = t.urls[field] ?? "";
  info.CallbackKey = t.callbackKey;
  info.RecordExceptionLevels = t.recordExceptionLevels;
  info.OnAirPerStreamOrdering = t.perStreamOrdering;
  info.OnAirRetryPolicy = t.retryPolicy
    ? {
        MaxRetries: t.retryPolicy.maxRetries,
        IntervalMs: t.retryPolicy.intervalMs,
        TimeoutMs: t.retryPolicy.timeoutMs,
        Jitter: t.retryPolicy.jitter,
      }
    : null;
  return info;
}

async function getTemplate(ctx: ActionContext, id: number): Promise<CallbackTemplate> {
  const template = await ctx.store.templates.get(id);
  if (!template)
    throw new OnAirError("ONAIR_ERR_NOT_FOUND", `callback template ${id} does not exist`, {
      tencentCode: "ResourceNotFound",
    });
  return template;
}

/** Tencent's callback template and rule actions (API 3.0, version 2018-08-01). */
export const callbackActions: Record<string, ActionHandler> = {
  async CreateLiveCallbackTemplate(params, ctx) {
    const p = parseParams(createSchema, params);
    const urls = pickUrls(p);
    if (!Object.values(urls).some(Boolean)) {
      throw new OnAirError("ONAIR_ERR_MISSING_PARAMETER", "at least one callback URL is required");
    }
    checkUrls(urls, ctx);
    if ((await ctx.store.templates.list()).length >= 50) {
      throw new OnAirError("ONAIR_ERR_LIMIT_EXCEEDED", "at most 50 callback templates", {
        tencentCode: "InternalError.ConfOutLimit",
      });
    }
    const template = await ctx.store.templates.create({
      name: p.TemplateName,
      description: p.Description ?? "",
      urls,
      recordExceptionLevels: p.RecordExceptionLevels ?? [],
      callbackKey: p.CallbackKey ?? "",
      previousKeys: [],
      retryPolicy: toPolicy(p.OnAirRetryPolicy),
      perStreamOrdering: p.OnAirPerStreamOrdering ?? false,
    });
    return { TemplateId: template.id };
  },

  async DescribeLiveCallbackTemplates(params, ctx) {
    parseParams(z.object({}).strict(), params);
    return { Templates: (await ctx.store.templates.list()).map(templateInfo) };
  },

  async DescribeLiveCallbackTemplate(params, ctx) {
    const { TemplateId } = parseParams(idSchema, params);
    return { Template: templateInfo(await getTemplate(ctx, TemplateId)) };
  },

  // An omitted field keeps its value; "" clears a URL. A new CallbackKey keeps the old one valid
  // for `keyRotationOverlapMs` on the Standard Webhooks signature.
  async ModifyLiveCallbackTemplate(params, ctx) {
    const p = parseParams(modifySchema, params);
    const current = await getTemplate(ctx, p.TemplateId);
    const urls = { ...current.urls, ...pickUrls(p) };
    for (const field of CALLBACK_URL_FIELDS) if (urls[field] === "") delete urls[field];
    checkUrls(urls, ctx);
    if (!Object.values(urls).some(Boolean)) {
      throw new OnAirError("ONAIR_ERR_MISSING_PARAMETER", "at least one callback URL is required");
    }
    const now = ctx.clock.now();
    let previousKeys = current.previousKeys.filter((k) => k.validUntil > now);
    if (
      p.CallbackKey !== undefined &&
      p.CallbackKey !== current.callbackKey &&
      current.callbackKey
    ) {
      previousKeys = [
        {
          key: current.callbackKey,
          validUntil: new Date(now.getTime() + ctx.config.keyRotationOverlapMs),
        },
        ...previousKeys,
      ];
    }
    const input: TemplateInput = {
      name: p.TemplateName ?? current.name,
      description: p.Description ?? current.description,
      urls,
      recordExceptionLevels: p.RecordExceptionLevels ?? current.recordExceptionLevels,
      callbackKey: p.CallbackKey ?? current.callbackKey,
      previousKeys,
      retryPolicy: p.OnAirRetryPolicy ? toPolicy(p.OnAirRetryPolicy) : current.retryPolicy,
      perStreamOrdering: p.OnAirPerStreamOrdering ?? current.perStreamOrdering,
    };
    await ctx.store.templates.update(p.TemplateId, input);
    return {};
  },

  async DeleteLiveCallbackTemplate(params, ctx) {
    const { TemplateId } = parseParams(idSchema, params);
    if (!(await ctx.store.templates.delete(TemplateId))) {
      throw new OnAirError(
        "ONAIR_ERR_NOT_FOUND",
        `callback template ${TemplateId} does not exist`,
        { tencentCode: "ResourceNotFound" },
      );
    }
    return {};
  },

  async CreateLiveCallbackRule(params, ctx) {
    const p = parseParams(ruleSchema, params);
    if (!(await ctx.store.templates.get(p.TemplateId))) {
      throw new OnAirError(
        "ONAIR_ERR_NOT_FOUND",
        `callback template ${p.TemplateId} does not exist`,
        {
          tencentCode: "InvalidParameter.ConfNotFound",
        },
      );
    }
    await ctx.store.rules.upsert({
      domainName: p.DomainName,
      appName: p.AppName,
      templateId: p.TemplateId,
    });
    return {};
  },

  async DescribeLiveCallbackRules(params, ctx) {
    parseParams(z.object({}).strict(), params);
    return {
      Rules: (await ctx.store.rules.list()).map((r) => ({
        CreateTime: beijingTime(r.createdAt),
        UpdateTime: beijingTime(r.updatedAt),
        TemplateId: r.templateId,
        DomainName: r.domainName,
        AppName: r.appName,
      })),
    };
  },

  async DeleteLiveCallbackRule(params, ctx) {
    const p = parseParams(deleteRuleSchema, params);
    if (!(await ctx.store.rules.delete(p.DomainName, p.AppName))) {
      throw new OnAirError(
        "ONAIR_ERR_NOT_FOUND",
        `no callback rule for ${p.DomainName}/${p.AppName}`,
        { tencentCode: "ResourceNotFound" },
      );
    }
    return {};
  },
};

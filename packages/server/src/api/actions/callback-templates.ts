import { createHash, timingSafeEqual } from "node:crypto";
import { EventType } from "@onair/callbacks";
import { z } from "zod";
import { warnDeprecatedRetryPreset } from "../../config/deprecation.js";
import {
  currentRetryPreset,
  DEPRECATED_RETRY_PRESETS,
  isDeprecatedRetryPreset,
  presetPolicy,
  TENCENT_2021_RETRY_POLICY,
  TENCENT_2021_SNAPSHOT_RETRY_POLICY,
  TENCENT_INTL_RETRY_POLICY,
} from "../../domain/retry-policy.js";
import {
  CALLBACK_URL_FIELDS,
  type CallbackTemplate,
  type CallbackUrlField,
  type RetryPolicy,
} from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import { type ActionContext, defineAction } from "../action.js";
import { assertCallbackUrlAllowed, MAX_CALLBACK_URL_LENGTH } from "../callback-url-policy.js";
import { tencentName } from "../fields.js";
import type { CallBackTemplateInfo } from "../wire-types.js";
import { templateNotFound } from "./template-actions.js";

/**
 * Callback templates (Create/Describe(s)/Modify/Delete LiveCallbackTemplate): Tencent's
 * parameters and CallBackTemplateInfo, plus OnAir's `OnAirRetryPolicy` and
 * `OnAirPerStreamOrdering`.
 */

/** Replaced keys kept for the Standard Webhooks overlap; older ones are dropped. */
const MAX_PREVIOUS_KEYS = 5;

const urlField = z
  .string()
  .max(MAX_CALLBACK_URL_LENGTH, `at most ${MAX_CALLBACK_URL_LENGTH} characters`);
const urlFields = Object.fromEntries(CALLBACK_URL_FIELDS.map((f) => [f, urlField.optional()])) as {
  [F in CallbackUrlField]: z.ZodOptional<typeof urlField>;
};

const PRESETS = {
  "tencent-intl": TENCENT_INTL_RETRY_POLICY,
  "tencent-2021": TENCENT_2021_RETRY_POLICY,
  "tencent-2021-snapshot": TENCENT_2021_SNAPSHOT_RETRY_POLICY,
} as const;

/**
 * OnAir extension: the template's own delivery schedule. A `Preset` (or, without one, the
 * template's current policy) with any field overridden; `Preset: "default"` returns the template
 * to the server-wide policy.
 */
const retryPolicyParam = z
  .object({
    Preset: z
      .enum([
        "default",
        "tencent-intl",
        "tencent-2021",
        "tencent-2021-snapshot",
        ...DEPRECATED_RETRY_PRESETS,
      ])
      .optional(),
    MaxRetries: z.number().int().min(0).max(100).optional(),
    IntervalMs: z.number().int().min(0).max(86_400_000).optional(),
    TimeoutMs: z.number().int().min(1).max(600_000).optional(),
    Jitter: z.number().min(0).max(1).optional(),
  })
  .strict();
type RetryPolicyParam = z.output<typeof retryPolicyParam>;

const templateFields = {
  TemplateName: tencentName(255).refine((s) => s.length > 0, "must not be empty"),
  Description: tencentName(1024).optional(),
  ...urlFields,
  CallbackKey: z
    .string()
    .regex(/^[A-Za-z0-9]{0,32}$/, "at most 32 letters and digits")
    .optional(),
  RecordExceptionLevels: z
    .array(z.enum(["error", "warning", "info"], { error: "must be error, warning or info" }))
    .max(3)
    .optional(),
  OnAirRetryPolicy: retryPolicyParam.optional(),
  OnAirPerStreamOrdering: z.boolean().optional(),
};

type UrlParams = Partial<Record<CallbackUrlField, string | undefined>>;

/** The URL fields that were given ("" included: it clears the URL on Modify). */
function givenUrls(params: UrlParams): Partial<Record<CallbackUrlField, string>> {
  const urls: Partial<Record<CallbackUrlField, string>> = {};
  for (const field of CALLBACK_URL_FIELDS) {
    const value = params[field];
    if (value !== undefined) urls[field] = value.trim();
  }
  return urls;
}

/** Non-empty URLs only, each checked against the URL policy. */
function checkedUrls(
  urls: Partial<Record<CallbackUrlField, string>>,
  ctx: ActionContext,
): Partial<Record<CallbackUrlField, string>> {
  const kept: Partial<Record<CallbackUrlField, string>> = {};
  for (const field of CALLBACK_URL_FIELDS) {
    const value = urls[field];
    if (!value) continue;
    assertCallbackUrlAllowed(field, value, { allowPrivate: ctx.config.callbackAllowPrivate });
    kept[field] = value;
  }
  if (Object.keys(kept).length === 0) {
    throw new OnAirError(
      "ONAIR_ERR_MISSING_PARAMETER",
      `at least one callback URL is required (${CALLBACK_URL_FIELDS.join(", ")})`,
    );
  }
  return kept;
}

function resolveRetryPolicy(
  param: RetryPolicyParam,
  base: RetryPolicy,
  ctx: ActionContext,
): RetryPolicy | null {
  const { Preset, ...fields } = param;
  if (Preset === "default") {
    if (Object.keys(fields).length > 0) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        'OnAirRetryPolicy.Preset "default" takes no other fields',
      );
    }
    return null;
  }
  if (isDeprecatedRetryPreset(Preset))
    warnDeprecatedRetryPreset(Preset, currentRetryPreset(Preset), "OnAirRetryPolicy.Preset");
  const start = Preset ? PRESETS[currentRetryPreset(Preset)] : base;
  const policy: RetryPolicy = {
    maxRetries: fields.MaxRetries ?? start.maxRetries,
    intervalMs: fields.IntervalMs ?? start.intervalMs,
    timeoutMs: fields.TimeoutMs ?? start.timeoutMs,
    jitter: fields.Jitter ?? start.jitter,
  };
  // A claimed delivery's lease must outlive its attempt, or a second node could send it too.
  if (policy.timeoutMs >= ctx.config.dispatcher.leaseMs) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      `OnAirRetryPolicy.TimeoutMs must be below the dispatcher lease (${ctx.config.dispatcher.leaseMs} ms)`,
    );
  }
  return policy;
}

function serverDefaultPolicy(ctx: ActionContext): RetryPolicy {
  return presetPolicy(ctx.config.retryPreset, EventType.Push);
}

function sameSecret(a: string, b: string): boolean {
  const hash = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(hash(a), hash(b));
}

function templateInfo(t: CallbackTemplate): CallBackTemplateInfo {
  const urls: Record<CallbackUrlField, string> = Object.fromEntries(
    CALLBACK_URL_FIELDS.map((field) => [field, t.urls[field] ?? ""]),
  ) as Record<CallbackUrlField, string>;
  return {
    TemplateId: t.id,
    TemplateName: t.name,
    Description: t.description,
    ...urls,
    CallbackKey: t.callbackKey,
    RecordExceptionLevels: t.recordExceptionLevels,
    OnAirRetryPolicy: t.retryPolicy && {
      MaxRetries: t.retryPolicy.maxRetries,
      IntervalMs: t.retryPolicy.intervalMs,
      TimeoutMs: t.retryPolicy.timeoutMs,
      Jitter: t.retryPolicy.jitter,
    },
    OnAirPerStreamOrdering: t.perStreamOrdering,
  };
}

async function loadTemplate(ctx: ActionContext, id: number): Promise<CallbackTemplate> {
  const template = await ctx.store.templates.get(id);
  if (!template) throw templateNotFound("Callback", id);
  return template;
}

const templateId = z
  .number()
  .int()
  .min(1, "must be a TemplateId returned by CreateLiveCallbackTemplate");

export const createLiveCallbackTemplate = defineAction({
  name: "CreateLiveCallbackTemplate",
  params: z.object(templateFields).strict(),
  async run(p, ctx) {
    const urls = checkedUrls(givenUrls(p), ctx);
    const template = await ctx.store.templates.create({
      name: p.TemplateName,
      description: p.Description ?? "",
      urls,
      recordExceptionLevels: [...new Set(p.RecordExceptionLevels ?? [])],
      callbackKey: p.CallbackKey ?? "",
      previousKeys: [],
      retryPolicy: p.OnAirRetryPolicy
        ? resolveRetryPolicy(p.OnAirRetryPolicy, serverDefaultPolicy(ctx), ctx)
        : null,
      perStreamOrdering: p.OnAirPerStreamOrdering ?? false,
    });
    return { TemplateId: template.id };
  },
});

export const describeLiveCallbackTemplates = defineAction({
  name: "DescribeLiveCallbackTemplates",
  params: z.object({}).strict(),
  async run(_p, ctx) {
    return { Templates: (await ctx.store.templates.list()).map(templateInfo) };
  },
});

export const describeLiveCallbackTemplate = defineAction({
  name: "DescribeLiveCallbackTemplate",
  params: z.object({ TemplateId: templateId }).strict(),
  async run(p, ctx) {
    return { Template: templateInfo(await loadTemplate(ctx, p.TemplateId)) };
  },
});

/**
 * An omitted field keeps its value; "" clears a URL, the Description or the CallbackKey. A new
 * CallbackKey moves the old one to `previousKeys`, valid for `keyRotationOverlapMs` more, so
 * receivers can switch keys without losing callbacks.
 */
export const modifyLiveCallbackTemplate = defineAction({
  name: "ModifyLiveCallbackTemplate",
  params: z
    .object({
      TemplateId: templateId,
      ...templateFields,
      TemplateName: templateFields.TemplateName.optional(),
    })
    .strict(),
  async run(p, ctx) {
    const current = await loadTemplate(ctx, p.TemplateId);
    const urls = checkedUrls({ ...current.urls, ...givenUrls(p) }, ctx);
    const now = ctx.clock.now();
    const callbackKey = p.CallbackKey ?? current.callbackKey;
    let previousKeys = current.previousKeys.filter(
      (k) => k.validUntil > now && !sameSecret(k.key, callbackKey),
    );
    if (
      current.callbackKey !== "" &&
      !sameSecret(current.callbackKey, callbackKey) &&
      ctx.config.keyRotationOverlapMs > 0
    ) {
      const validUntil = new Date(now.getTime() + ctx.config.keyRotationOverlapMs);
      previousKeys = [{ key: current.callbackKey, validUntil }, ...previousKeys];
    }
    await ctx.store.templates.update(p.TemplateId, {
      name: p.TemplateName ?? current.name,
      description: p.Description ?? current.description,
      urls,
      recordExceptionLevels: p.RecordExceptionLevels
        ? [...new Set(p.RecordExceptionLevels)]
        : current.recordExceptionLevels,
      callbackKey,
      previousKeys: previousKeys.slice(0, MAX_PREVIOUS_KEYS),
      retryPolicy: p.OnAirRetryPolicy
        ? resolveRetryPolicy(
            p.OnAirRetryPolicy,
            current.retryPolicy ?? serverDefaultPolicy(ctx),
            ctx,
          )
        : current.retryPolicy,
      perStreamOrdering: p.OnAirPerStreamOrdering ?? current.perStreamOrdering,
    });
    return {};
  },
});

/** A template a rule still uses is refused with FailedOperation.ConfInUsed. */
export const deleteLiveCallbackTemplate = defineAction({
  name: "DeleteLiveCallbackTemplate",
  params: z.object({ TemplateId: templateId }).strict(),
  async run(p, ctx) {
    const inUse = (await ctx.store.rules.list()).filter((r) => r.templateId === p.TemplateId);
    if (inUse.length > 0) {
      const names = inUse.map((r) => `${r.domainName}/${r.appName || "*"}`).join(", ");
      throw new OnAirError(
        "ONAIR_ERR_TEMPLATE_IN_USE",
        `callback template ${p.TemplateId} is used by callback rules (${names}); delete them first`,
        { tencentCode: "FailedOperation.ConfInUsed" },
      );
    }
    let deleted: boolean;
    try {
      deleted = await ctx.store.templates.delete(p.TemplateId);
    } catch (err) {
      // A rule created between the check above and the delete.
      if (err instanceof OnAirError && err.code === "ONAIR_ERR_TEMPLATE_IN_USE") {
        throw new OnAirError(
          "ONAIR_ERR_TEMPLATE_IN_USE",
          `callback template ${p.TemplateId} is used by a callback rule`,
          { cause: err, tencentCode: "FailedOperation.ConfInUsed" },
        );
      }
      throw err;
    }
    if (!deleted) throw templateNotFound("Callback", p.TemplateId);
    return {};
  },
});

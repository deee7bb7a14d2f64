import { randomBytes } from "node:crypto";
import { buildPushEvent, EventType } from "@onair/callbacks";
import { z } from "zod";
import { createCallbackSender } from "../../dispatcher/callback-sender.js";
import { newId } from "../../domain/ids.js";
import { URL_FIELD_FOR_EVENT_TYPE } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import { defineAction } from "../action.js";

/** Bytes of the receiver's answer shown back. */
const SHOWN_RESPONSE_BYTES = 512;
/** The receiver has this long to answer a test (a real delivery: the template's timeout). */
const TEST_TIMEOUT_MS = 10_000;

/**
 * `SendLiveCallbackTest` (OnAir's own action, not Tencent's; docs/alerts.md "Send a test
 * callback"): POSTs a signed push-style sample body (event 1, marked `"onair_test": true`) to the
 * template's URL for `EventType`, behind the same SSRF guard and signing as a real delivery, and
 * returns how the receiver answered. Nothing is stored and nothing is retried.
 */
export const sendLiveCallbackTest = defineAction({
  name: "SendLiveCallbackTest",
  extension: true,
  params: z
    .object({
      TemplateId: z
        .number()
        .int()
        .min(1, "must be a TemplateId returned by CreateLiveCallbackTemplate"),
      /** Which of the template's URLs: the event type it serves (default 1, push). */
      EventType: z
        .number()
        .int()
        .refine((n) => URL_FIELD_FOR_EVENT_TYPE[n] !== undefined, {
          message: `must be one of ${Object.keys(URL_FIELD_FOR_EVENT_TYPE).join(", ")}`,
        })
        .optional(),
      StreamName: z.string().min(1).max(256).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const template = await ctx.store.templates.get(p.TemplateId);
    if (!template) {
      throw new OnAirError(
        "ONAIR_ERR_TEMPLATE_NOT_FOUND",
        `callback template ${p.TemplateId} does not exist`,
      );
    }
    const eventType = p.EventType ?? EventType.Push;
    const field = URL_FIELD_FOR_EVENT_TYPE[eventType];
    const url = field ? template.urls[field] : undefined;
    if (!field || !url) {
      throw new OnAirError(
        "ONAIR_ERR_TEMPLATE_NO_URL",
        `callback template ${p.TemplateId} has no ${field ?? "URL"} for event type ${eventType}`,
      );
    }
    // The sample names a domain the template is bound to, when it is bound to one.
    const rule = (await ctx.store.rules.list()).find((r) => r.templateId === template.id);
    const now = ctx.clock.now();
    const body = {
      ...buildPushEvent({
        appid: ctx.config.appid,
        app: rule?.domainName || "test.example.com",
        appname: rule?.appName || "live",
        stream_id: p.StreamName ?? "onair_test_stream",
        event_time: Math.floor(now.getTime() / 1000),
        sequence: BigInt(`0x${randomBytes(8).toString("hex")}`).toString(),
        node: "127.0.0.1",
        user_ip: "127.0.0.1",
        stream_param: "",
        set_id: 2,
        idc_id: 0,
      }),
      onair_test: true,
    };
    const sender = createCallbackSender({
      callbackAllowPrivate: ctx.config.callbackAllowPrivate,
      nodeId: ctx.config.nodeId ?? "onair",
      connectionsPerOrigin: 1,
      responseSnippetBytes: SHOWN_RESPONSE_BYTES,
    });
    const started = performance.now();
    try {
      const outcome = await sender.send({
        url,
        body,
        keys: [template.callbackKey].filter(Boolean),
        webhookId: newId("msg"),
        timeoutMs: Math.min(template.retryPolicy?.timeoutMs ?? TEST_TIMEOUT_MS, TEST_TIMEOUT_MS),
        now,
      });
      return {
        Url: url,
        EventType: eventType,
        Success: outcome.errorCode === null,
        StatusCode: outcome.statusCode,
        DurationMs: Math.round(performance.now() - started),
        ResponseBody: outcome.responseSnippet ?? "",
        ErrorCode: outcome.errorCode ?? "",
        ErrorMessage: outcome.errorMessage ?? "",
        RequestBody: outcome.requestBody,
      };
    } finally {
      await sender.close();
    }
  },
});

import { z } from "zod";
import type { Delivery, DeliveryStatus } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import type { ActionHandler } from "../action.js";
import { beijingTime, parseParams } from "../params.js";

/** `YYYY-MM-DDThh:mm:ssZ` (UTC) or `YYYY-MM-DD hh:mm:ss` (Beijing time), as Tencent accepts. */
const TIME = z.string().transform((value, ctx) => {
  const utc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) ? Date.parse(value) : Number.NaN;
  const beijing = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)
    ? Date.parse(`${value.replace(" ", "T")}+08:00`)
    : Number.NaN;
  const at = Number.isNaN(utc) ? beijing : utc;
  if (Number.isNaN(at)) {
    ctx.addIssue({
      code: "custom",
      message: "must be YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DD hh:mm:ss",
    });
    return z.NEVER;
  }
  return new Date(at);
});
const STATUS = z.enum(["pending", "delivered", "dead", "disabled"]);

const recordsSchema = z
  .object({
    StartTime: TIME,
    EndTime: TIME,
    StreamName: z.string().min(1),
    PageNum: z.number().int().min(1),
    PageSize: z.number().int().min(1).max(100),
    EventType: z.number().int().optional(),
    ResultCode: z.number().int().optional(),
  })
  .strict();
const listSchema = z
  .object({
    Status: z.array(STATUS).optional(),
    Url: z.string().optional(),
    StreamName: z.string().optional(),
    EventTypes: z.array(z.number().int()).optional(),
    StartTime: TIME.optional(),
    EndTime: TIME.optional(),
    Cursor: z.string().optional(),
    Limit: z.number().int().min(1).max(500).optional(),
  })
  .strict();
const idSchema = z.object({ DeliveryId: z.string().min(1) }).strict();
const redeliverSchema = z
  .object({
    DeliveryIds: z.array(z.string().min(1)).max(1000).optional(),
    AllDead: z.boolean().optional(),
    StartTime: TIME.optional(),
    EndTime: TIME.optional(),
    DryRun: z.boolean().optional(),
  })
  .strict();
const endpointSchema = z.object({ Url: z.string().min(1) }).strict();

function deliveryInfo(d: Delivery): Record<string, unknown> {
  return {
    DeliveryId: d.id,
    EventId: d.eventId,
    TemplateId: d.templateId,
    Url: d.url,
    EventType: d.eventType,
    StreamName: d.streamId,
    Status: d.status,
    Attempts: d.attempts,
    NextAttemptTime: d.status === "pending" ? d.nextAttemptAt.toISOString() : "",
    LastError: d.lastError ?? "",
    CreateTime: d.createdAt.toISOString(),
  };
}

/** DescribeCallbackRecordsList (Tencent) and OnAir's delivery actions. */
export const deliveryActions: Record<string, ActionHandler> = {
  async DescribeCallbackRecordsList(params, ctx) {
    const p = parseParams(recordsSchema, params);
    if (p.EndTime.getTime() - p.StartTime.getTime() > 86_400_000 || p.EndTime < p.StartTime) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "EndTime must follow StartTime by at most one day",
      );
    }
    const { items } = await ctx.store.deliveries.list({
      streamId: p.StreamName,
      from: p.StartTime,
      to: p.EndTime,
      ...(p.EventType === undefined ? {} : { eventTypes: [p.EventType] }),
      limit: 10_000,
    });
    const rows: Record<string, unknown>[] = [];
    for (const delivery of items) {
      for (const attempt of await ctx.store.deliveries.attempts(delivery.id)) {
        const resultCode = attempt.statusCode === 200 ? 0 : (attempt.statusCode ?? -1);
        if (p.ResultCode !== undefined && p.ResultCode !== resultCode) continue;
        rows.push({
          EventTime: beijingTime(attempt.startedAt),
          EventType: delivery.eventType,
          Request: attempt.requestBody,
          Response: attempt.responseSnippet ?? attempt.errorMessage ?? "",
          ResponseTime: beijingTime(new Date(attempt.startedAt.getTime() + attempt.durationMs)),
          ResultCode: resultCode,
          StreamId: delivery.streamId,
        });
      }
    }
    const start = (p.PageNum - 1) * p.PageSize;
    return {
      DataInfoList: rows.slice(start, start + p.PageSize),
      PageNum: p.PageNum,
      PageSize: p.PageSize,
      TotalNum: rows.length,
      TotalPage: Math.ceil(rows.length / p.PageSize),
    };
  },

  async DescribeCallbackDeliveries(params, ctx) {
    const p = parseParams(listSchema, params);
    const page = await ctx.store.deliveries.list({
      ...(p.Status ? { status: p.Status as DeliveryStatus[] } : {}),
      ...(p.Url ? { url: p.Url } : {}),
      ...(p.StreamName ? { streamId: p.StreamName } : {}),
      ...(p.EventTypes ? { eventTypes: p.EventTypes } : {}),
      ...(p.StartTime ? { from: p.StartTime } : {}),
      ...(p.EndTime ? { to: p.EndTime } : {}),
      ...(p.Cursor ? { cursor: p.Cursor } : {}),
      limit: p.Limit ?? 50,
    });
    return { Deliveries: page.items.map(deliveryInfo), NextCursor: page.nextCursor ?? "" };
  },

  async DescribeCallbackDeliveryAttempts(params, ctx) {
    const { DeliveryId } = parseParams(idSchema, params);
    const delivery = await ctx.store.deliveries.get(DeliveryId);
    if (!delivery)
      throw new OnAirError("ONAIR_ERR_NOT_FOUND", `delivery ${DeliveryId} does not exist`);
    const attempts = await ctx.store.deliveries.attempts(DeliveryId);
    return {
      Delivery: deliveryInfo(delivery),
      Attempts: attempts.map((a) => ({
        Number: a.number,
        StartTime: a.startedAt.toISOString(),
        DurationMs: a.durationMs,
        StatusCode: a.statusCode ?? 0,
        ErrorCode: a.errorCode ?? "",
        ErrorMessage: a.errorMessage ?? "",
        Request: a.requestBody,
        Response: a.responseSnippet ?? "",
      })),
    };
  },

  async RedeliverCallbacks(params, ctx) {
    const p = parseParams(redeliverSchema, params);
    if (!p.DeliveryIds && !p.AllDead && !p.StartTime) {
      throw new OnAirError(
        "ONAIR_ERR_MISSING_PARAMETER",
        "give DeliveryIds, AllDead or a StartTime/EndTime range",
      );
    }
    const ids = await ctx.store.deliveries.redeliver({
      ...(p.DeliveryIds ? { ids: p.DeliveryIds } : {}),
      filter: {
        ...(p.AllDead ? { status: ["dead" as const] } : {}),
        ...(p.StartTime ? { from: p.StartTime } : {}),
        ...(p.EndTime ? { to: p.EndTime } : {}),
      },
      now: ctx.clock.now(),
      dryRun: p.DryRun ?? false,
    });
    if (!p.DryRun && ids.length) ctx.wake?.();
    return { DeliveryIds: ids, DryRun: p.DryRun ?? false };
  },

  async EnableCallbackEndpoint(params, ctx) {
    const { Url } = parseParams(endpointSchema, params);
    if (!(await ctx.store.endpoints.enable(Url))) {
      throw new OnAirError("ONAIR_ERR_NOT_FOUND", `no endpoint state for ${Url}`);
    }
    return {};
  },
};

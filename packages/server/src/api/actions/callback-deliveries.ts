import { z } from "zod";
import type { Attempt, Delivery, EndpointState } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import type { DeliveryFilter } from "../../store/store.js";
import { defineAction } from "../action.js";
import { tencentTime } from "../fields.js";
import type { CallbackAttemptInfo, CallbackDeliveryInfo } from "../wire-types.js";

/**
 * OnAir extensions (Tencent has no such actions): delivery visibility and recovery. Same
 * envelope, signing and error codes as Tencent's actions; times are ISO 8601 UTC with
 * milliseconds, absent values "".
 */

const STATUS = z.enum(["pending", "delivered", "dead", "disabled"], {
  error: "must be pending, delivered, dead or disabled",
});
/** Largest number of ids a RedeliverCallbacks reply lists (TotalCount counts them all). */
const MAX_LISTED_IDS = 1000;

const iso = (d: Date | null) => (d ? d.toISOString() : "");

function deliveryInfo(d: Delivery): CallbackDeliveryInfo {
  return {
    DeliveryId: d.id,
    EventId: d.eventId,
    TemplateId: d.templateId,
    Url: d.url,
    EventType: d.eventType,
    StreamName: d.streamId,
    Status: d.status,
    Attempts: d.attempts,
    NextAttemptTime: d.status === "pending" ? iso(d.nextAttemptAt) : "",
    LastError: d.lastError ?? "",
    CreateTime: iso(d.createdAt),
    UpdateTime: iso(d.updatedAt),
  };
}

function attemptInfo(a: Attempt): CallbackAttemptInfo {
  return {
    Number: a.number,
    StartTime: iso(a.startedAt),
    DurationMs: a.durationMs,
    StatusCode: a.statusCode,
    ErrorCode: a.errorCode ?? "",
    ErrorMessage: a.errorMessage ?? "",
    Request: a.requestBody,
    Response: a.responseSnippet ?? "",
  };
}

function endpointInfo(e: EndpointState): Record<string, unknown> {
  return {
    Url: e.url,
    Status: e.disabledAt ? "disabled" : e.failingSince ? "failing" : "healthy",
    FailingSince: iso(e.failingSince),
    DisabledTime: iso(e.disabledAt),
    DisabledReason: e.disabledReason ?? "",
  };
}

/** The filter parameters DescribeCallbackDeliveries and RedeliverCallbacks share. */
const filterFields = {
  Status: z.array(STATUS).min(1).max(4).optional(),
  Url: z.string().min(1).max(2048).optional(),
  StreamName: z.string().min(1).max(256).optional(),
  EventTypes: z.array(z.number().int()).min(1).max(32).optional(),
  StartTime: tencentTime.optional(),
  EndTime: tencentTime.optional(),
};
type FilterParams = {
  Status?: Delivery["status"][] | undefined;
  Url?: string | undefined;
  StreamName?: string | undefined;
  EventTypes?: number[] | undefined;
  StartTime?: { date: Date } | undefined;
  EndTime?: { date: Date } | undefined;
};

function toFilter(p: FilterParams): Omit<DeliveryFilter, "limit" | "cursor"> {
  if (p.StartTime && p.EndTime && p.EndTime.date < p.StartTime.date) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "EndTime is before StartTime");
  }
  return {
    ...(p.Status ? { status: [...new Set(p.Status)] } : {}),
    ...(p.Url ? { url: p.Url } : {}),
    ...(p.StreamName ? { streamId: p.StreamName } : {}),
    ...(p.EventTypes ? { eventTypes: p.EventTypes } : {}),
    // Created at or after StartTime and before EndTime.
    ...(p.StartTime ? { from: p.StartTime.date } : {}),
    ...(p.EndTime ? { to: p.EndTime.date } : {}),
  };
}

/** Deliveries newest first, filtered by status, URL, stream, event type and creation time. */
export const describeCallbackDeliveries = defineAction({
  name: "DescribeCallbackDeliveries",
  extension: true,
  params: z
    .object({
      ...filterFields,
      /** NextCursor of the previous page; "" (or absent) for the first page. */
      Cursor: z.string().max(512).optional(),
      Limit: z.number().int().min(1).max(500, "must be 1 to 500").optional(),
    })
    .strict(),
  async run(p, ctx) {
    const page = await ctx.store.deliveries.list({
      ...toFilter(p),
      ...(p.Cursor ? { cursor: p.Cursor } : {}),
      limit: p.Limit ?? 50,
    });
    return { Deliveries: page.items.map(deliveryInfo), NextCursor: page.nextCursor ?? "" };
  },
});

/** One delivery and every attempt made for it. */
export const describeCallbackDeliveryAttempts = defineAction({
  name: "DescribeCallbackDeliveryAttempts",
  extension: true,
  params: z.object({ DeliveryId: z.string().min(1).max(128) }).strict(),
  async run(p, ctx) {
    const delivery = await ctx.store.deliveries.get(p.DeliveryId);
    if (!delivery) {
      throw new OnAirError(
        "ONAIR_ERR_DELIVERY_NOT_FOUND",
        `delivery ${p.DeliveryId} does not exist`,
      );
    }
    const attempts = await ctx.store.deliveries.attempts(p.DeliveryId);
    return { Delivery: deliveryInfo(delivery), Attempts: attempts.map(attemptInfo) };
  },
});

/**
 * Sends deliveries again (due now, with a fresh retry budget): by `DeliveryIds`, or by a filter
 * (`AllDead: true` is `Status: ["dead"]`). Pending deliveries are left alone. `DryRun` lists
 * what would be requeued without changing anything.
 */
export const redeliverCallbacks = defineAction({
  name: "RedeliverCallbacks",
  extension: true,
  params: z
    .object({
      DeliveryIds: z.array(z.string().min(1).max(128)).min(1).max(1000).optional(),
      AllDead: z.boolean().optional(),
      ...filterFields,
      DryRun: z.boolean().optional(),
    })
    .strict(),
  async run(p, ctx) {
    const { DeliveryIds, AllDead, DryRun, ...filterParams } = p;
    const hasFilter = Object.values(filterParams).some((v) => v !== undefined);
    if (AllDead && filterParams.Status) {
      throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "give AllDead or Status, not both");
    }
    if (DeliveryIds && (hasFilter || AllDead)) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "give DeliveryIds or a filter (AllDead, Status, Url, StreamName, EventTypes, StartTime, EndTime), not both",
      );
    }
    if (!DeliveryIds && !AllDead && !hasFilter) {
      throw new OnAirError(
        "ONAIR_ERR_MISSING_PARAMETER",
        "say what to redeliver: DeliveryIds, AllDead, or a filter (Status, Url, StreamName, EventTypes, StartTime, EndTime)",
      );
    }
    const filter = toFilter({ ...filterParams, ...(AllDead ? { Status: ["dead"] } : {}) });
    const ids = await ctx.store.deliveries.redeliver({
      ...(DeliveryIds ? { ids: [...new Set(DeliveryIds)] } : { filter }),
      now: ctx.clock.now(),
      dryRun: DryRun ?? false,
    });
    if (!DryRun && ids.length > 0)
      ctx.nodeEvents.emit("deliveries.requeued", { count: ids.length });
    return {
      DeliveryIds: ids.slice(0, MAX_LISTED_IDS),
      TotalCount: ids.length,
      DryRun: DryRun ?? false,
    };
  },
});

/** The health of every callback URL OnAir has tried. */
export const describeCallbackEndpoints = defineAction({
  name: "DescribeCallbackEndpoints",
  extension: true,
  params: z.object({}).strict(),
  async run(_p, ctx) {
    return { Endpoints: (await ctx.store.endpoints.list()).map(endpointInfo) };
  },
});

/**
 * Re-enables a callback URL the dispatcher disabled after sustained failure, and (unless
 * `RedeliverDisabled` is false) requeues the deliveries held back while it was disabled.
 */
export const enableCallbackEndpoint = defineAction({
  name: "EnableCallbackEndpoint",
  extension: true,
  params: z
    .object({
      Url: z.string().min(1).max(2048),
      RedeliverDisabled: z.boolean().optional(),
    })
    .strict(),
  async run(p, ctx) {
    const alert = ctx.alerts?.record(
      { alert: "endpoint_enabled", url: p.Url },
      { aboutAlertUrl: ctx.alerts.isAlertUrl(p.Url) },
    );
    const endpoint = await ctx.store.endpoints.get(p.Url);
    if (!(await ctx.store.endpoints.enable(p.Url, alert))) {
      throw new OnAirError(
        "ONAIR_ERR_ENDPOINT_NOT_FOUND",
        `OnAir has no record of the callback URL ${p.Url}`,
      );
    }
    // The alert committed with the change only if the endpoint was disabled.
    if (alert && endpoint?.disabledAt) ctx.alerts?.told(alert);
    let requeued: string[] = [];
    if (p.RedeliverDisabled !== false) {
      requeued = await ctx.store.deliveries.redeliver({
        filter: { status: ["disabled"], url: p.Url },
        now: ctx.clock.now(),
      });
      if (requeued.length > 0) {
        ctx.nodeEvents.emit("deliveries.requeued", { count: requeued.length });
      }
    }
    return { Url: p.Url, RedeliveredCount: requeued.length };
  },
});

/** Queue figures: pending, dead and delivered counts and the oldest pending age. */
export const describeCallbackQueueStats = defineAction({
  name: "DescribeCallbackQueueStats",
  extension: true,
  params: z.object({}).strict(),
  async run(_p, ctx) {
    const stats = await ctx.store.deliveries.stats(ctx.clock.now());
    return {
      Pending: stats.pending,
      Dead: stats.dead,
      Delivered: stats.delivered,
      OldestPendingAgeMs: stats.oldestPendingAgeMs ?? 0,
    };
  },
});

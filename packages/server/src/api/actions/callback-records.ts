import { z } from "zod";
import type { Attempt, Delivery } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import { type ActionContext, defineAction } from "../action.js";
import { tencentTime } from "../fields.js";
import { formatTencentTime, type TencentTimeStyle } from "../tencent-time.js";

/**
 * DescribeCallbackRecordsList, Tencent's delivery log: one CallbackEventInfo per HTTP attempt of
 * a callback for one stream, built from OnAir's deliveries and their recorded attempts.
 */

const DAY_MS = 86_400_000;
/** Deliveries created this long before StartTime are read too: their retries may fall inside. */
const RETRY_LOOKBACK_MS = DAY_MS;
/** Deliveries read per store page, and at most in all (one stream, about two days). */
const SCAN_PAGE = 500;
const SCAN_LIMIT = 20_000;

/** ResultCode of an attempt: 0 for HTTP 200, the HTTP status otherwise, -1 when no response came. */
function resultCode(attempt: Attempt): number {
  if (attempt.statusCode === 200) return 0;
  return attempt.statusCode ?? -1;
}

function responseText(attempt: Attempt): string {
  if (attempt.responseSnippet !== null) return attempt.responseSnippet;
  if (attempt.errorCode !== null) {
    return attempt.errorMessage
      ? `${attempt.errorCode}: ${attempt.errorMessage}`
      : attempt.errorCode;
  }
  return "";
}

async function deliveriesFor(
  ctx: ActionContext,
  filter: { streamId: string; eventTypes?: number[]; from: Date; to: Date },
): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await ctx.store.deliveries.list({
      ...filter,
      ...(cursor === undefined ? {} : { cursor }),
      limit: SCAN_PAGE,
    });
    all.push(...page.items);
    if (all.length > SCAN_LIMIT) {
      throw new OnAirError(
        "ONAIR_ERR_LIMIT_EXCEEDED",
        `more than ${SCAN_LIMIT} callbacks for this stream around this time range; narrow StartTime/EndTime`,
      );
    }
    if (page.nextCursor === null) return all;
    cursor = page.nextCursor;
  }
}

export const describeCallbackRecordsList = defineAction({
  name: "DescribeCallbackRecordsList",
  params: z
    .object({
      StartTime: tencentTime,
      EndTime: tencentTime,
      StreamName: z.string().min(1, "must not be empty").max(256),
      PageNum: z.number().int().min(1, "must be 1 or more"),
      PageSize: z.number().int().min(1).max(100, "must be 1 to 100"),
      EventType: z.number().int().optional(),
      ResultCode: z.number().int().optional(),
    })
    .strict(),
  async run(p, ctx) {
    const start = p.StartTime.date;
    // EndTime names a whole second: an attempt at hh:mm:ss.500 is inside it.
    const end = new Date(p.EndTime.date.getTime() + 999);
    if (p.EndTime.date < start) {
      throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "EndTime is before StartTime");
    }
    if (p.EndTime.date.getTime() - start.getTime() > DAY_MS) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "StartTime and EndTime may be at most one day apart",
      );
    }
    const style: TencentTimeStyle = p.StartTime.style;
    const deliveries = await deliveriesFor(ctx, {
      streamId: p.StreamName,
      ...(p.EventType === undefined ? {} : { eventTypes: [p.EventType] }),
      from: new Date(start.getTime() - RETRY_LOOKBACK_MS),
      to: new Date(end.getTime() + 1),
    });
    const rows: { at: number; info: Record<string, unknown> }[] = [];
    for (const delivery of deliveries) {
      for (const attempt of await ctx.store.deliveries.attempts(delivery.id)) {
        if (attempt.startedAt < start || attempt.startedAt > end) continue;
        const code = resultCode(attempt);
        if (p.ResultCode !== undefined && p.ResultCode !== code) continue;
        rows.push({
          at: attempt.startedAt.getTime(),
          info: {
            EventTime: formatTencentTime(attempt.startedAt, style),
            EventType: delivery.eventType,
            Request: attempt.requestBody,
            Response: responseText(attempt),
            ResponseTime: formatTencentTime(
              new Date(attempt.startedAt.getTime() + attempt.durationMs),
              style,
            ),
            ResultCode: code,
            StreamId: delivery.streamId,
          },
        });
      }
    }
    rows.sort((a, b) => a.at - b.at);
    const first = (p.PageNum - 1) * p.PageSize;
    return {
      DataInfoList: rows.slice(first, first + p.PageSize).map((r) => r.info),
      PageNum: p.PageNum,
      PageSize: p.PageSize,
      TotalNum: rows.length,
      TotalPage: Math.ceil(rows.length / p.PageSize),
    };
  },
});

import { describeErrcode, describeInterruption, EventType, SUB_ERRCODES } from "@onair/callbacks";
import { z } from "zod";
import type { StoredEvent } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import type { PublishRefusal } from "../../store/refusal-repository.js";
import { type ActionContext, defineAction } from "../action.js";
import { appName, domainName, flag, tencentTime } from "../fields.js";
import { formatUtcTime } from "../tencent-time.js";
import type { StreamEventInfo } from "../wire-types.js";

/**
 * The publish history (DescribeLiveStreamEventList, DescribeLiveStreamPublishedList): one entry
 * per publish, from the push (1) and interruption (0) events the store keeps, joined by their
 * shared `sequence`; and for the event list, the refused publishes ("开播失败", failed starts).
 */

/** Events read per call at most (Tencent: "目前只支持10000条内的查询", only 10000 records). */
const EVENT_SCAN_LIMIT = 10_000;
/** Tencent: StartTime and EndTime at most one month apart (the longest month). */
const MAX_SPAN_MS = 31 * 86_400_000;

interface HistoryQuery {
  from: Date;
  /** Exclusive: the end of the second EndTime names. */
  to: Date;
  domainName?: string | undefined;
  appName?: string | undefined;
  streamName?: string | undefined;
  /** StreamName matches exactly rather than as a substring. */
  strict: boolean;
}

/** One publish with what it is sorted by. */
interface PublishEntry {
  info: StreamEventInfo;
  startMs: number;
  /** Infinity while live: a live publish ends after every ended one. */
  endMs: number;
}

/** EndTime counts to the end of the second it names (Tencent's times have whole seconds). */
const endOfSecond = (date: Date) => new Date(date.getTime() + 1000);

function checkWindow(from: Date, to: Date): void {
  if (to < from) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "EndTime is before StartTime");
  }
  if (to.getTime() - from.getTime() > MAX_SPAN_MS) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      "StartTime and EndTime are at most one month (31 days) apart",
    );
  }
}

function toEntry(push: StoredEvent | undefined, end: StoredEvent | undefined): PublishEntry {
  const first = (push ?? end) as StoredEvent;
  const endMs = end ? Number(end.body.event_time) * 1000 : Number.POSITIVE_INFINITY;
  const durationMs = end ? Number(end.body.push_duration ?? 0) : 0;
  // The push may be before the window: its start is the end less the push's duration.
  const startMs = push ? Number(push.body.event_time) * 1000 : endMs - durationMs;
  const errcode = end ? Number(end.body.errcode) : null;
  const width = Number(first.body.width ?? 0);
  const height = Number(first.body.height ?? 0);
  return {
    startMs,
    endMs,
    info: {
      AppName: first.appName,
      DomainName: first.domainName,
      StreamName: first.streamId,
      StreamStartTime: formatUtcTime(new Date(startMs)),
      StreamEndTime: end ? formatUtcTime(new Date(endMs)) : "",
      // The reason the interruption's errmsg gave (a Drop, a Forbid, a replacement…).
      StopReason:
        errcode === null
          ? ""
          : `${errcode}: ${describeInterruption(errcode, String(end?.body.errmsg ?? "")).en}`,
      Duration: Math.round(durationMs / 1000),
      ClientIp: String(first.body.user_ip ?? ""),
      Resolution: width > 0 ? `${width}*${height}` : "",
    },
  };
}

/** A refused publish: it started and ended at once, with its errcode (18, 19) as StopReason. */
function refusalEntry(r: PublishRefusal): PublishEntry {
  const at = r.createdAt.getTime();
  const sub = r.subErrcode === null ? undefined : SUB_ERRCODES.get(`${r.errcode}/${r.subErrcode}`);
  return {
    startMs: at,
    endMs: at,
    info: {
      AppName: r.appName,
      DomainName: r.domainName,
      StreamName: r.streamName,
      StreamStartTime: formatUtcTime(r.createdAt),
      StreamEndTime: formatUtcTime(r.createdAt),
      StopReason: `${r.errcode}: ${sub?.en ?? describeErrcode(r.errcode).en}`,
      Duration: 0,
      ClientIp: r.clientIp,
      Resolution: "",
    },
  };
}

function matcher(q: HistoryQuery) {
  const name = q.streamName;
  return (e: { domainName: string; appName: string; streamName: string }) =>
    (q.domainName === undefined || e.domainName === q.domainName) &&
    (q.appName === undefined || e.appName === q.appName) &&
    (name === undefined || (q.strict ? e.streamName === name : e.streamName.includes(name)));
}

async function refusedPublishes(ctx: ActionContext, q: HistoryQuery): Promise<PublishEntry[]> {
  const refusals = await ctx.store.refusals.list({
    from: q.from,
    to: q.to,
    limit: EVENT_SCAN_LIMIT,
  });
  return refusals.filter(matcher(q)).map(refusalEntry);
}

async function publishHistory(ctx: ActionContext, q: HistoryQuery): Promise<PublishEntry[]> {
  const events = await ctx.store.events.list({
    eventTypes: [EventType.Interruption, EventType.Push],
    from: q.from,
    to: q.to,
    limit: EVENT_SCAN_LIMIT,
  });
  const keyMatches = matcher(q);
  const matches = (e: StoredEvent) => keyMatches({ ...e, streamName: e.streamId });
  const publishes = new Map<string, { push?: StoredEvent; end?: StoredEvent }>();
  for (const event of events.filter(matches)) {
    const sequence = String(event.body.sequence ?? event.id);
    const entry = publishes.get(sequence) ?? {};
    if (event.eventType === EventType.Push) entry.push = event;
    else entry.end = event;
    publishes.set(sequence, entry);
  }
  return [...publishes.values()].map(({ push, end }) => toEntry(push, end));
}

/** The page Tencent's PageNum and PageSize ask for, with its counts. */
function paged<T>(items: readonly T[], num: number, size: number) {
  return {
    PageNum: num,
    PageSize: size,
    TotalNum: items.length,
    TotalPage: Math.ceil(items.length / size),
    page: items.slice((num - 1) * size, num * size),
  };
}

/** Tencent pages no further than the first 10000 records. */
function checkPageDepth(num: number, size: number): void {
  if ((num - 1) * size >= EVENT_SCAN_LIMIT) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      `only the first ${EVENT_SCAN_LIMIT} records can be paged (PageNum ${num} × PageSize ${size}); narrow StartTime–EndTime`,
    );
  }
}

/**
 * DescribeLiveStreamEventList (tencentcloud-sdk live_models DescribeLiveStreamEventListRequest):
 * StreamName is a substring unless IsStrict is 1; the list is by end time, newest first unless
 * IsAsc is 1 (a live publish, not ended yet, counts as the newest). Refused RTMP publishes are
 * listed too, as Tencent lists failed starts, unless IsFilter is 1 ("过滤掉开播失败的").
 */
export const describeLiveStreamEventList = defineAction({
  name: "DescribeLiveStreamEventList",
  params: z
    .object({
      StartTime: tencentTime,
      EndTime: tencentTime,
      DomainName: domainName.optional(),
      AppName: appName.optional(),
      StreamName: z.string().max(256).optional(),
      PageNum: z.number().int().min(1).max(EVENT_SCAN_LIMIT).optional(),
      PageSize: z.number().int().min(1).max(100, "must be 1 to 100").optional(),
      IsFilter: flag.optional(),
      IsStrict: flag.optional(),
      IsAsc: flag.optional(),
    })
    .strict(),
  async run(p, ctx) {
    checkWindow(p.StartTime.date, p.EndTime.date);
    const num = p.PageNum ?? 1;
    const size = p.PageSize ?? 10;
    checkPageDepth(num, size);
    const query: HistoryQuery = {
      from: p.StartTime.date,
      to: endOfSecond(p.EndTime.date),
      domainName: p.DomainName,
      appName: p.AppName,
      streamName: p.StreamName,
      strict: p.IsStrict === 1,
    };
    const entries = await publishHistory(ctx, query);
    if (p.IsFilter !== 1) entries.push(...(await refusedPublishes(ctx, query)));
    const byEnd = (a: PublishEntry, b: PublishEntry) =>
      a.endMs === b.endMs ? a.startMs - b.startMs : a.endMs < b.endMs ? -1 : 1;
    const sorted = entries.sort((a, b) => (p.IsAsc === 1 ? byEnd(a, b) : byEnd(b, a)));
    const { page, ...counts } = paged(sorted, num, size);
    return { EventList: page.map((e) => e.info), ...counts };
  },
});

/**
 * DescribeLiveStreamPublishedList (live_models DescribeLiveStreamPublishedListRequest, Tencent
 * 267/30797): the publishes of one push domain in the window, newest start first. AppName is
 * exact, StreamName a substring. PageSize is 10–100 as the request documents (one version of the
 * page said 1–100).
 */
export const describeLiveStreamPublishedList = defineAction({
  name: "DescribeLiveStreamPublishedList",
  params: z
    .object({
      DomainName: domainName,
      StartTime: tencentTime,
      EndTime: tencentTime,
      AppName: appName.optional(),
      PageNum: z.number().int().min(1).max(EVENT_SCAN_LIMIT).optional(),
      PageSize: z
        .number()
        .int()
        .min(10, "must be 10 to 100")
        .max(100, "must be 10 to 100")
        .optional(),
      StreamName: z.string().max(256).optional(),
    })
    .strict(),
  async run(p, ctx) {
    checkWindow(p.StartTime.date, p.EndTime.date);
    const num = p.PageNum ?? 1;
    const size = p.PageSize ?? 10;
    checkPageDepth(num, size);
    const entries = await publishHistory(ctx, {
      from: p.StartTime.date,
      to: endOfSecond(p.EndTime.date),
      domainName: p.DomainName,
      appName: p.AppName,
      streamName: p.StreamName,
      strict: false,
    });
    entries.sort((a, b) => b.startMs - a.startMs);
    const { page, ...counts } = paged(entries, num, size);
    return { PublishInfo: page.map((e) => e.info), ...counts };
  },
});

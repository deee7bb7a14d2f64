import { Errcode, SubErrcode } from "@onair/callbacks";
import { z } from "zod";
import type { StreamKey } from "../../domain/stream-key.js";
import { OnAirError } from "../../errors.js";
import { type ActionContext, defineAction } from "../action.js";
import { appName, domainName, tencentTime } from "../fields.js";
import { formatUtcTime } from "../tencent-time.js";

/**
 * Live-stream actions (docs/api.md): DescribeLiveStreamOnlineList, DescribeLiveStreamState,
 * DropLiveStream, ForbidLiveStream and ResumeLiveStream (the history is stream-history.ts), with
 * Tencent's parameter and response names (tencentcloud-sdk-nodejs live_models.d.ts). The online
 * list and the state read the global registry, so with PostgreSQL they cover every node.
 */

/** Tencent's default ban when ForbidLiveStream has no ResumeTime: 7 days; at most 90. */
const DEFAULT_BAN_MS = 7 * 86_400_000;
const MAX_BAN_MS = 90 * 86_400_000;

const streamName = z
  .string()
  .min(1, "must not be empty")
  .max(256, "at most 256 characters")
  .regex(/^[A-Za-z0-9_.~-]+$/, "only letters, digits, _, -, . and ~ are allowed");

const streamKeyParams = {
  DomainName: domainName,
  AppName: appName,
  StreamName: streamName,
};

function keyOf(p: { DomainName: string; AppName: string; StreamName: string }): StreamKey {
  return { domainName: p.DomainName, appName: p.AppName, streamName: p.StreamName };
}

/**
 * A publish ended by DropLiveStream or ForbidLiveStream reports Tencent's 21 with sub_errcode 100
 * (收到客户调用的断流请求) or 101 (收到客户调用的禁播请求), 267/31083.
 */
async function dropStream(
  ctx: ActionContext,
  key: StreamKey,
  detail: string,
  subErrcode: number = SubErrcode.DropRequested,
): Promise<boolean> {
  return ctx.streams
    ? ctx.streams.drop(key, Errcode.Dropped, detail, subErrcode)
    : ctx.store.streams.requestDrop(key, Errcode.Dropped, subErrcode);
}

function page(
  p: { PageNum?: number | undefined; PageSize?: number | undefined },
  defaultSize: number,
) {
  return { num: p.PageNum ?? 1, size: p.PageSize ?? defaultSize };
}

export const describeLiveStreamOnlineList = defineAction({
  name: "DescribeLiveStreamOnlineList",
  params: z
    .object({
      DomainName: domainName.optional(),
      AppName: appName.optional(),
      StreamName: streamName.optional(),
      PageNum: z.number().int().min(1).max(1000).optional(),
      PageSize: z.number().int().min(1).max(300_000).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const rows = await ctx.store.streams.list({
      ...(p.DomainName === undefined ? {} : { domainName: p.DomainName }),
      ...(p.AppName === undefined ? {} : { appName: p.AppName }),
      ...(p.StreamName === undefined ? {} : { streamName: p.StreamName }),
    });
    const { num, size } = page(p, 10);
    return {
      TotalNum: rows.length,
      TotalPage: Math.ceil(rows.length / size),
      PageNum: num,
      PageSize: size,
      OnlineInfo: rows.slice((num - 1) * size, num * size).map((r) => ({
        StreamName: r.streamName,
        AppName: r.appName,
        DomainName: r.domainName,
        PublishTimeList: [{ PublishTime: formatUtcTime(r.startedAt) }],
        PushToDelay: 0,
      })),
    };
  },
});

export const describeLiveStreamState = defineAction({
  name: "DescribeLiveStreamState",
  params: z.object(streamKeyParams).strict(),
  async run(p, ctx) {
    const key = keyOf(p);
    if (await ctx.store.streams.forbidden(key, ctx.clock.now())) return { StreamState: "forbid" };
    return { StreamState: (await ctx.store.streams.get(key)) ? "active" : "inactive" };
  },
});

/** A stream that is not live is dropped successfully too (Tencent 267/30795: "returns success"). */
export const dropLiveStream = defineAction({
  name: "DropLiveStream",
  params: z.object(streamKeyParams).strict(),
  async run(p, ctx) {
    await dropStream(ctx, keyOf(p), "DropLiveStream");
    return {};
  },
});

export const forbidLiveStream = defineAction({
  name: "ForbidLiveStream",
  params: z
    .object({
      ...streamKeyParams,
      ResumeTime: tencentTime.optional(),
      Reason: z
        .string()
        .refine((s) => Buffer.byteLength(s) <= 2048, "at most 2048 bytes")
        .optional(),
    })
    .strict(),
  async run(p, ctx) {
    const now = ctx.clock.now();
    const resumeAt = p.ResumeTime?.date ?? new Date(now.getTime() + DEFAULT_BAN_MS);
    if (resumeAt.getTime() <= now.getTime()) {
      throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "ResumeTime must be in the future");
    }
    if (resumeAt.getTime() - now.getTime() > MAX_BAN_MS) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "ResumeTime is at most 90 days away",
      );
    }
    const key = keyOf(p);
    await ctx.store.streams.forbid({ ...key, forbiddenAt: now, resumeAt, reason: p.Reason ?? "" });
    await dropStream(ctx, key, "ForbidLiveStream", SubErrcode.ForbidRequested);
    return {};
  },
});

export const resumeLiveStream = defineAction({
  name: "ResumeLiveStream",
  params: z.object(streamKeyParams).strict(),
  async run(p, ctx) {
    await ctx.store.streams.resume(keyOf(p));
    return {};
  },
});

import { z } from "zod";
import { OnAirError } from "../../errors.js";
import type { MinuteSample } from "../../playback/viewer-stats.js";
import { defineAction } from "../action.js";
import { appName, domainName, tencentTime } from "../fields.js";
import { formatTencentTime } from "../tencent-time.js";

/**
 * Viewer statistics by the minute (docs/playback.md, "Viewer statistics"), measured on this
 * node's connections and kept in memory for the last day: DescribeStreamPlayInfoList (Tencent
 * 267/20390) and DescribeAllStreamPlayInfoList (Tencent 267/20391). MB are 10^6 bytes and Mbps
 * 10^6 bit/s; Online is the most viewers connected at once in the minute.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3600_000;

function megabytes(bytes: number): number {
  return Math.round(bytes / 1e3) / 1e3;
}

function mbps(bytesPerMinute: number): number {
  return Math.round((bytesPerMinute * 8) / 60 / 1e3) / 1e3;
}

export const describeStreamPlayInfoList = defineAction({
  name: "DescribeStreamPlayInfoList",
  params: z
    .object({
      StartTime: tencentTime,
      EndTime: tencentTime,
      PlayDomain: domainName.optional(),
      StreamName: z.string().max(256).optional(),
      AppName: appName.optional(),
      /** LVB or LEB; OnAir has one service, so both give the same figures. */
      ServiceName: z.enum(["LVB", "LEB"]).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const from = Math.floor(p.StartTime.date.getTime() / MINUTE_MS) * MINUTE_MS;
    const to = p.EndTime.date.getTime();
    if (to < from) {
      throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "EndTime is before StartTime");
    }
    if (to - from > DAY_MS) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "EndTime and StartTime are more than 24 hours apart",
      );
    }
    const samples = ctx.viewers?.samples(from, to) ?? new Map<number, MinuteSample[]>();
    const matches = (s: MinuteSample) =>
      (p.PlayDomain === undefined || s.domain === p.PlayDomain) &&
      (p.StreamName === undefined || s.streamName === p.StreamName) &&
      (p.AppName === undefined || s.appName === p.AppName);
    const last = Math.min(to, ctx.clock.now().getTime());
    const list = [];
    for (let minute = from; minute <= last; minute += MINUTE_MS) {
      const rows = (samples.get(minute) ?? []).filter(matches);
      const bytes = rows.reduce((sum, r) => sum + r.bytes, 0);
      list.push({
        Time: formatTencentTime(new Date(minute), p.StartTime.style),
        Bandwidth: mbps(bytes),
        Flux: megabytes(bytes),
        Request: rows.reduce((sum, r) => sum + r.requests, 0),
        Online: rows.reduce((sum, r) => sum + r.online, 0),
      });
    }
    return { DataInfoList: list };
  },
});

const PROTOCOL_NAMES = { rtmp: "Rtmp", flv: "Flv", hls: "Hls" } as const;

export const describeAllStreamPlayInfoList = defineAction({
  name: "DescribeAllStreamPlayInfoList",
  params: z
    .object({
      QueryTime: tencentTime,
      PlayDomains: z.array(domainName).max(100).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const minute = Math.floor(p.QueryTime.date.getTime() / MINUTE_MS) * MINUTE_MS;
    const rows = ctx.viewers?.samples(minute, minute).get(minute) ?? [];
    const domains = p.PlayDomains ? new Set(p.PlayDomains) : null;
    return {
      QueryTime: formatTencentTime(new Date(minute), p.QueryTime.style),
      DataInfoList: rows
        .filter((r) => domains === null || domains.has(r.domain))
        .map((r) => ({
          PlayDomain: r.domain,
          StreamName: r.streamName,
          // 0: the original bitrate (OnAir does not transcode).
          Rate: 0,
          Protocol: PROTOCOL_NAMES[r.protocol],
          Bandwidth: mbps(r.bytes),
          Online: r.online,
          Request: r.requests,
        })),
    };
  },
});

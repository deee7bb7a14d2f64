import { z } from "zod";
import { OnAirError } from "../../errors.js";
import { MINUTE_MS } from "../../store/play-sample-repository.js";
import { defineAction } from "../action.js";
import { appName, domainName, tencentTime } from "../fields.js";
import { formatTencentTime } from "../tencent-time.js";

/**
 * Viewer statistics by the minute (docs/playback.md, "Viewer statistics"), measured on every
 * node's connections and read from the store, where each node writes a sample per interval
 * (`store.playSamples`): DescribeStreamPlayInfoList (Tencent 267/20390),
 * DescribeAllStreamPlayInfoList (Tencent 267/20391) and DescribeLiveDomainPlayInfoList (Tencent
 * 267/37304 on the international site). MB are 10^6 bytes and Mbps 10^6 bit/s; Online is, per
 * node, the most viewers connected at once in the minute, the nodes added up.
 */

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
    const last = Math.min(to, ctx.clock.now().getTime());
    const minutes = await ctx.store.playSamples.perMinute({
      fromMinute: from,
      toMinute: last,
      domain: p.PlayDomain,
      appName: p.AppName,
      streamName: p.StreamName,
    });
    const byMinute = new Map(minutes.map((m) => [m.minute, m]));
    const list = [];
    for (let minute = from; minute <= last; minute += MINUTE_MS) {
      const figures = byMinute.get(minute);
      list.push({
        Time: formatTencentTime(new Date(minute), p.StartTime.style),
        Bandwidth: mbps(figures?.bytes ?? 0),
        Flux: megabytes(figures?.bytes ?? 0),
        Request: figures?.requests ?? 0,
        Online: figures?.online ?? 0,
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
    const rows = await ctx.store.playSamples.perStream({ minute, domains: p.PlayDomains });
    return {
      QueryTime: formatTencentTime(new Date(minute), p.QueryTime.style),
      DataInfoList: rows.map((r) => ({
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

/** The span DescribeLiveDomainPlayInfoList's "real-time" figures cover: the last minute. */
const REALTIME_MS = MINUTE_MS;

export const describeLiveDomainPlayInfoList = defineAction({
  name: "DescribeLiveDomainPlayInfoList",
  params: z
    .object({
      PlayDomains: z.array(domainName).max(100).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const now = ctx.clock.now();
    const rows = await ctx.store.playSamples.perDomain({
      since: new Date(now.getTime() - REALTIME_MS),
      domains: p.PlayDomains,
    });
    const byDomain = new Map(rows.map((r) => [r.domain, r]));
    // The domains asked for, each whether it had viewers or not; else those that had.
    const names = p.PlayDomains ? [...new Set(p.PlayDomains)] : rows.map((r) => r.domain);
    const sum = (pick: (r: (typeof rows)[number]) => number) =>
      rows.reduce((total, r) => total + pick(r), 0);
    const bytes = sum((r) => r.bytes);
    return {
      Time: formatTencentTime(new Date(Math.floor(now.getTime() / 1000) * 1000), "beijing"),
      TotalBandwidth: mbps(bytes),
      TotalFlux: megabytes(bytes),
      TotalRequest: sum((r) => r.requests),
      TotalOnline: sum((r) => r.online),
      DomainInfoList: names.map((name) => {
        const figures = byDomain.get(name);
        return {
          Domain: name,
          // OnAir does not know where viewers are: every figure is "Mainland", as one region.
          DetailInfoList: [
            {
              MainlandOrOversea: "Mainland",
              Bandwidth: mbps(figures?.bytes ?? 0),
              Flux: megabytes(figures?.bytes ?? 0),
              Online: figures?.online ?? 0,
              Request: figures?.requests ?? 0,
            },
            { MainlandOrOversea: "Oversea", Bandwidth: 0, Flux: 0, Online: 0, Request: 0 },
          ],
        };
      }),
    };
  },
});

import { z } from "zod";
import { OnAirError } from "../../errors.js";
import type { PushFigures } from "../../monitoring/push-monitor.js";
import { defineAction } from "../action.js";
import { appName, domainName, tencentTime } from "../fields.js";
import { formatBeijingTime, formatUtcTime } from "../tencent-time.js";
import type { PushDataInfo } from "../wire-types.js";

/**
 * The push-monitoring pair (docs/monitoring.md): DescribeLiveStreamPushInfoList (Tencent
 * 267/20386) lists this node's live streams with what the ingest measures of them now, and
 * DescribeStreamPushInfoList (Tencent 267/20387) one stream's per-minute samples over a time
 * range. Names and units are the SDK's `PushDataInfo` and `PushQualityData` (bits per second,
 * Hz; the metadata rates of PushQualityData in kbit/s).
 */

/** `2019-06-21 00:29:12.252`: Tencent's BeginPushTime, Beijing time with milliseconds. */
function beginPushTime(ms: number): string {
  const date = new Date(ms);
  return `${formatBeijingTime(date)}.${String(date.getUTCMilliseconds()).padStart(3, "0")}`;
}

function resolution(f: PushFigures): string {
  return f.width > 0 ? `${f.width}*${f.height}` : "";
}

export const describeLiveStreamPushInfoList = defineAction({
  name: "DescribeLiveStreamPushInfoList",
  params: z
    .object({
      PushDomain: domainName.optional(),
      AppName: appName.optional(),
      PageNum: z.number().int().min(1).max(10_000, "must be 1 to 10000").optional(),
      // The SDK's range (Tencent 267/20386); the English page says 1000.
      PageSize: z.number().int().min(1).max(100_000, "must be 1 to 100000").optional(),
    })
    .strict(),
  async run(p, ctx) {
    const rows = (ctx.pushInfo?.live() ?? [])
      .filter(
        (f) =>
          (p.PushDomain === undefined || f.domainName === p.PushDomain) &&
          (p.AppName === undefined || f.appName === p.AppName),
      )
      .sort((a, b) => a.startedAtMs - b.startedAtMs);
    const num = p.PageNum ?? 1;
    const size = p.PageSize ?? 200;
    return {
      DataInfoList: rows.slice((num - 1) * size, num * size).map(
        (f): PushDataInfo => ({
          StreamName: f.streamName,
          AppName: f.appName,
          ClientIp: f.clientIp,
          ServerIp: f.serverIp,
          VideoFps: Math.round(f.videoFps),
          VideoSpeed: f.videoBitsPerSecond,
          AudioFps: Math.round(f.audioFps),
          AudioSpeed: f.audioBitsPerSecond,
          PushDomain: f.domainName,
          BeginPushTime: beginPushTime(f.startedAtMs),
          Acodec: f.audioCodec,
          Vcodec: f.videoCodec,
          Resolution: resolution(f),
          AsampleRate: f.audioSampleRate,
          MetaAudioSpeed: f.metaAudioBitsPerSecond,
          MetaVideoSpeed: f.metaVideoBitsPerSecond,
          MetaFps: Math.round(f.metaFps),
        }),
      ),
      TotalNum: rows.length,
      TotalPage: Math.ceil(rows.length / size),
      PageNum: num,
      PageSize: size,
    };
  },
});

/** Tencent: StartTime to EndTime at most 3 hours, within the last 7 days (267/20387). */
const MAX_SPAN_MS = 3 * 3600_000;
const MAX_AGE_MS = 7 * 86_400_000;

export const describeStreamPushInfoList = defineAction({
  name: "DescribeStreamPushInfoList",
  params: z
    .object({
      StreamName: z.string().min(1, "must not be empty").max(256),
      StartTime: tencentTime,
      EndTime: tencentTime,
      PushDomain: domainName.optional(),
      AppName: appName.optional(),
    })
    .strict(),
  async run(p, ctx) {
    const from = p.StartTime.date.getTime();
    const to = p.EndTime.date.getTime();
    if (to < from) {
      throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "EndTime is before StartTime");
    }
    if (to - from > MAX_SPAN_MS) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "StartTime and EndTime may be at most 3 hours apart",
      );
    }
    if (ctx.clock.now().getTime() - from > MAX_AGE_MS) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "StartTime may be at most 7 days ago",
      );
    }
    const samples =
      ctx.pushInfo?.history({
        streamName: p.StreamName,
        fromMs: from,
        // EndTime names a whole second.
        toMs: to + 999,
        domainName: p.PushDomain,
        appName: p.AppName,
      }) ?? [];
    return {
      DataInfoList: samples.map(({ atMs, figures: f, intervalBytes }) => ({
        Time: formatUtcTime(new Date(atMs)),
        PushDomain: f.domainName,
        AppName: f.appName,
        ClientIp: f.clientIp,
        BeginPushTime: beginPushTime(f.startedAtMs),
        Resolution: resolution(f),
        VCodec: f.videoCodec,
        ACodec: f.audioCodec,
        Sequence: f.sequence,
        VideoFps: Math.round(f.videoFps),
        VideoRate: f.videoBitsPerSecond,
        AudioFps: Math.round(f.audioFps),
        AudioRate: f.audioBitsPerSecond,
        LocalTs: f.localElapsedMs,
        VideoTs: f.videoElapsedMs,
        AudioTs: f.audioElapsedMs,
        MetaVideoRate: Math.round(f.metaVideoBitsPerSecond / 1000),
        MetaAudioRate: Math.round(f.metaAudioBitsPerSecond / 1000),
        // Tencent's spelling (PushQualityData.MateFps).
        MateFps: Math.round(f.metaFps),
        StreamParam: f.streamParam,
        Bandwidth:
          Math.round(((f.videoBitsPerSecond + f.audioBitsPerSecond) / 1_000_000) * 1000) / 1000,
        // The traffic of the sample's interval (MB), its bandwidth the rate now (Mbit/s).
        Flux: Math.round((intervalBytes / 1_000_000) * 1000) / 1000,
        ServerIp: f.serverIp,
        GopSize: f.gopMs,
      })),
    };
  },
});

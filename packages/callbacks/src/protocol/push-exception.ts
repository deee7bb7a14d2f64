import type { PushAbnormality, PushExceptionEvent, UnsignedBody } from "./events.js";

/**
 * The abnormal types of the push-exception callback (event_type 321, Tencent 267/53310 and its
 * console page 267/81831). The Chinese texts are the type table's; the English ones follow the
 * table, except 6 and 7, which are the sample's `type_desc_en`. Tencent's pages disagree on the
 * frame-gap thresholds (the Chinese table: 3 s for both; the English one: 3000 ms video, 1000 ms
 * audio; the sample's text: 1000 ms): the thresholds are the sender's, see docs/monitoring.md.
 */
export const PushAbnormalType = {
  VideoTimestampBackward: 1,
  AudioTimestampBackward: 2,
  VideoTimestampJump: 3,
  AudioTimestampJump: 4,
  ChunkSizeTooBig: 5,
  VideoFrameGap: 6,
  AudioFrameGap: 7,
  VideoCodecChanged: 8,
  AudioCodecChanged: 9,
  VideoHeaderMissing: 10,
  AudioHeaderMissing: 11,
} as const;

export type PushAbnormalTypeCode = (typeof PushAbnormalType)[keyof typeof PushAbnormalType];

/** `type_desc_cn` and `type_desc_en` of each abnormal type. */
export const PUSH_ABNORMAL_TYPES: Readonly<
  Record<PushAbnormalTypeCode, { cn: string; en: string }>
> = {
  1: { cn: "视频时间戳回退", en: "video timestamp moved backwards" },
  2: { cn: "音频时间戳回退", en: "audio timestamp moved backwards" },
  3: { cn: "视频时间戳突然变大(大于1s)", en: "video timestamp jump bigger than 1000(ms)" },
  4: { cn: "音频时间戳突然变大(大于1s)", en: "audio timestamp jump bigger than 1000(ms)" },
  5: { cn: "chunk size 太大(大于8192)", en: "chunk size bigger than 8192" },
  6: {
    cn: "两帧视频帧到达时间太长(大于3s)",
    en: "video frame arrive interval bigger than 1000(ms)",
  },
  7: {
    cn: "两帧音频帧到达时间太长(大于3s)",
    en: "audio frame arrive interval bigger than 1000(ms)",
  },
  8: { cn: "视频编码类型发生变化", en: "video codec changed" },
  9: { cn: "音频编码类型发生变化", en: "audio codec changed" },
  10: { cn: "视频帧到来前没有 codec 头", en: "no codec header before a video frame arrived" },
  11: { cn: "音频帧到来前没有 codec 头", en: "no codec header before an audio frame arrived" },
};

/** The occurrences of one abnormal type in one interval: how many, and what and when (Unix ms). */
export interface PushAbnormalTally {
  type: PushAbnormalTypeCode;
  count: number;
  /** E.g. `video frame arrive interval too long, interval=3046(msec)` (Tencent's sample). */
  details: readonly { desc: string; occurTimeMs: number }[];
}

/** Inputs of `buildPushExceptionEvent`: one report of one publish. */
export interface PushExceptionFacts {
  appid: number;
  domain: string;
  /** AppName. */
  path: string;
  stream_id: string;
  sequence: string;
  stream_param: string;
  /** The publisher's address (the current page's `user_ip`). */
  user_ip: string;
  /** When the report is made, Unix milliseconds. */
  dataTimeMs: number;
  reportIntervalMs: number;
  /** One tally per type that occurred in the interval. */
  abnormal: readonly PushAbnormalTally[];
}

/**
 * event_type 321 with the fields of Tencent's table and sample (267/53310): one `abnormal_event`
 * entry per type that occurred, in type order, with its count and occurrences as `detail`,
 * plus the current page's `customer_visible` ("true") and `event_key` (the Chinese text).
 * `timeout` is the sample's field, equal to the interval there. Times are integer milliseconds.
 */
export function buildPushExceptionEvent(
  facts: PushExceptionFacts,
): UnsignedBody<PushExceptionEvent> {
  const abnormal: PushAbnormality[] = [...facts.abnormal]
    .sort((a, b) => a.type - b.type)
    .map((tally) => ({
      count: tally.count,
      customer_visible: "true",
      detail: tally.details.map((d) => ({ desc: d.desc, occur_time: Math.round(d.occurTimeMs) })),
      event_key: PUSH_ABNORMAL_TYPES[tally.type].cn,
      type: tally.type,
      type_desc_cn: PUSH_ABNORMAL_TYPES[tally.type].cn,
      type_desc_en: PUSH_ABNORMAL_TYPES[tally.type].en,
    }));
  const interval = Math.round(facts.reportIntervalMs);
  return {
    abnormal_event: abnormal,
    appid: facts.appid,
    data_time: Math.round(facts.dataTimeMs),
    domain: facts.domain,
    event_type: 321,
    interface: "general_callback",
    path: facts.path,
    report_interval: interval,
    sequence: facts.sequence,
    stream_id: facts.stream_id,
    stream_param: facts.stream_param,
    timeout: interval,
    user_ip: facts.user_ip,
  };
}

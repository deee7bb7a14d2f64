/**
 * Push/interruption `errcode` table. Sources: Tencent's legacy table (267/5957, 267/47025; wire
 * texts such as `recv rtmp deleteStream`), its interruption-records table (267/31083, Chinese and
 * English, with `sub_errcode`) and the grouped table of the 2023 event page (267/38081), whose
 * English group text is what the 2023 sample sends as `errmsg`.
 *
 * Where an `errmsg` comes from: the 267/38081 group text for every code that table lists (0–17,
 * 19, 20, 22–35). Codes it leaves out (18, 21, 36–39) take 267/31083's English text, without its
 * final full stop as the 267/38081 sample writes it; 18 and 21 take their `sub_errcode`'s text
 * when it is known (`interruptionErrmsg`).
 */
export interface ErrcodeInfo {
  readonly errcode: number;
  /** Official Chinese description. */
  readonly zh: string;
  /** Official English description (interruption-records table). */
  readonly en: string;
  /** `errmsg` as the 2023 event page sends it (the grouped English text). */
  readonly errmsg: string;
  /** The legacy wire text of Tencent's old table (267/5957), where there is one. */
  readonly legacyErrmsg?: string;
}

/**
 * The interruption and refusal `errcode`s a live-stream server sends, by name (Tencent 267/31083
 * has the whole table, which `ERRCODES` carries). Compare and send these instead of numbers.
 *
 * @example
 * if (event.errcode === Errcode.Dropped) console.log("stopped through DropLiveStream");
 */
export const Errcode = {
  /** The client sent deleteStream (ffmpeg and OBS ending normally). */
  ClientDeleteStream: 1,
  /** The client sent closeStream or FCUnpublish. */
  ClientCloseStream: 2,
  /** The client closed the TCP connection without unpublishing. */
  ClientClosedConnection: 3,
  /** The connection failed (reset, read error). */
  ConnectionError: 4,
  /** The server failed or shut down (also: the node holding the publish was lost). */
  InternalError: 5,
  /** Malformed RTMP (handshake, chunk streams). */
  RtmpProtocolError: 6,
  /** An RTMP message or the bytes held for one exceeded the limit. */
  MessageTooLarge: 7,
  /** No audio or video for too long. */
  NoData: 8,
  /** The publish was refused; `sub_errcode` says why. */
  Refused: 18,
  /** Third-party push authentication failed. */
  ThirdPartyAuthFailed: 19,
  /** Stopped by DropLiveStream, ForbidLiveStream or a replacing publisher (`SubErrcode`). */
  Dropped: 21,
  /** Malformed AMF data. */
  AmfError: 33,
} as const;

/**
 * The `sub_errcode`s of errcode 21 (Tencent 267/31083): why the service itself ended a publish.
 * Tencent's callback body has no `sub_errcode` field; the reason shows in `errmsg`.
 */
export const SubErrcode = {
  /** DropLiveStream (收到客户调用的断流请求). */
  DropRequested: 100,
  /** ForbidLiveStream (收到客户调用的禁播请求). */
  ForbidRequested: 101,
  /** A new publisher of the same stream replaced this one (收到新的推流链接顶替当前推流). */
  Replaced: 102,
} as const;

/** A named `errcode`. */
export type NamedErrcode = (typeof Errcode)[keyof typeof Errcode];

const CLIENT_STOPPED = "The push client actively stopped the push";
const INTERNAL = "The live streaming system has an internal error";
const RTMP_ABNORMAL = "Abnormal RTMP protocol content";
const NO_DATA = "The system actively stopped the push with no data for a long time";
const NETWORK = "Abnormal stream pushing link network";
const UNKNOWN = "Unknown reason";
const STOPPED_AT_REQUEST = "The stream was stopped at your request";

function row(
  errcode: number,
  zh: string,
  en: string,
  errmsg: string,
  legacyErrmsg?: string,
): ErrcodeInfo {
  return legacyErrmsg === undefined
    ? { errcode, zh, en, errmsg }
    : { errcode, zh, en, errmsg, legacyErrmsg };
}

const rows: ErrcodeInfo[] = [
  row(0, "未知原因", "Unknown reason.", UNKNOWN),
  row(
    1,
    "推流客户端主动断流",
    "The push client stopped the stream (deleteStream).",
    CLIENT_STOPPED,
    "recv rtmp deleteStream",
  ),
  row(
    2,
    "推流客户端主动断流",
    "The push client stopped the stream (closeStream).",
    CLIENT_STOPPED,
    "recv rtmp closeStream",
  ),
  row(
    3,
    "推流客户端主动断开 TCP 连接",
    "The push client closed the TCP connection.",
    CLIENT_STOPPED,
    "recv() return 0",
  ),
  row(
    4,
    "推流客户端 TCP 连接异常",
    "The push client's TCP connection failed.",
    CLIENT_STOPPED,
    "recv() return error",
  ),
  row(5, "直播系统内部错误", "CSS system internal error.", INTERNAL),
  row(6, "RTMP 协议内容异常", "RTMP content error.", RTMP_ABNORMAL),
  row(
    7,
    "RTMP 单个帧大小超过配置允许的最大值",
    "Exceeded the maximum size allowed for a single RTMP frame.",
    "The size of a single RTMP frame exceeds the maximum value allowed by the configuration",
    "rtmp message large than 1M",
  ),
  row(
    8,
    "系统主动断开长时间无数据的推流",
    "The system stopped the stream because no data was generated for a long time.",
    NO_DATA,
  ),
  row(9, "直播系统内部错误", "CSS system internal error.", INTERNAL),
  row(10, "代理层收到断流命令", "The proxy layer received an interruption command.", INTERNAL),
  row(11, "直播系统内部错误", "CSS system internal error.", INTERNAL),
  ...[12, 13, 14, 15, 16, 17].map((code) =>
    row(code, "推流链路网络异常", "Network error for the push client.", NETWORK),
  ),
  row(18, "推流被拒绝（见 sub_errcode）", "The push was refused (see sub_errcode).", INTERNAL),
  row(
    19,
    "第三方鉴权失败",
    "Third-party authentication failed.",
    "Third-party authentication failure",
  ),
  row(
    20,
    "系统主动断开长时间无数据的推流",
    "The system stopped the stream because no data was generated for a long time.",
    NO_DATA,
  ),
  row(21, "收到客户调用的断流请求", "The stream was stopped at your request.", STOPPED_AT_REQUEST),
  row(22, "未知原因", "Unknown reason.", UNKNOWN),
  row(23, "RTMP 协议内容异常", "RTMP content error.", RTMP_ABNORMAL),
  row(24, "直播系统内部错误", "CSS system internal error.", INTERNAL),
  ...[25, 26, 27, 28, 29, 30, 31, 32, 34, 36].map((code) =>
    row(code, "未知原因", "Unknown reason.", UNKNOWN),
  ),
  row(33, "RTMP AMF 数据异常", "RTMP AMF error.", "Abnormal RTMP AMF data"),
  row(35, "推流客户端主动断流", "The push client stopped the stream.", CLIENT_STOPPED),
  row(
    37,
    "SRS 断开没有播放的流",
    "SRS stopped the stream because it was not played.",
    "SRS stopped the stream because it was not played",
  ),
  row(38, "直播系统内部错误", "CSS system internal error.", INTERNAL),
  row(
    39,
    "推流帧率大小超过系统允许的最大值",
    "Exceeded the maximum frame size allowed for push.",
    "Exceeded the maximum frame size allowed for push",
  ),
];

/** Every documented errcode, by number. */
export const ERRCODES: ReadonlyMap<number, ErrcodeInfo> = new Map(rows.map((r) => [r.errcode, r]));

/**
 * Describes an errcode; undocumented values get the "unknown" row with their own number.
 *
 * @example
 * describeErrcode(3).legacyErrmsg // "recv() return 0"
 */
export function describeErrcode(errcode: number): ErrcodeInfo {
  return ERRCODES.get(errcode) ?? { ...ERRCODES.get(0)!, errcode };
}

/**
 * `sub_errcode` values of errcode 18 (a refused push) and 21 (stopped through the API), from the
 * interruption-records table. OnAir's push authentication reports the 18/50x family in its logs.
 */
export const SUB_ERRCODES: ReadonlyMap<string, { zh: string; en: string }> = new Map([
  ["18/303", { zh: "推流域名被禁用", en: "The push domain name is disabled." }],
  ["18/305", { zh: "推流流名称处于禁播状态", en: "The stream is disabled." }],
  [
    "18/500",
    {
      zh: "推流未携带过期时间参数",
      en: "The expiration time parameter is missing from the push URL.",
    },
  ],
  ["18/501", { zh: "推流时间戳参数值已过期", en: "The push URL has expired." }],
  [
    "18/502",
    { zh: "推流未携带鉴权参数", en: "The authentication parameter is missing from the push URL." },
  ],
  ["18/503", { zh: "校验鉴权参数不通过", en: "Authentication failed." }],
  [
    "18/601",
    {
      zh: "当前流名称对应的推流条数超过配置允许的最大值",
      en: "Reached the maximum number of streams using this stream name.",
    },
  ],
  ["21/100", { zh: "收到客户调用的断流请求", en: "The stream was stopped at your request." }],
  ["21/101", { zh: "收到客户调用的禁播请求", en: "The stream was disabled at your request." }],
  [
    "21/102",
    { zh: "收到新的推流链接顶替当前推流", en: "A new push URL replaced the current one." },
  ],
  [
    "21/103",
    {
      zh: "收到新的推流链接顶替当前无数据的推流",
      en: "A new push URL replaced the current one that has no data.",
    },
  ],
]);

/** Which table's texts `errmsg` carries: Tencent's current ones, or the legacy wire texts. */
export type ErrmsgTexts = "current" | "legacy";

/**
 * The `errmsg` of an interruption. `current`: the 267/38081 group text, or for 18 and 21 the
 * `sub_errcode`'s 267/31083 text when it is known (so a Drop, a Forbid and a replacement read
 * apart). `legacy`: the old table's wire text (`recv rtmp deleteStream`, `recv() return 0`…) for
 * the codes that table has (1, 2, 3, 4, 7), for handlers written against it; the current text
 * otherwise, since the old table gave no wire text for any other code.
 *
 * @example
 * interruptionErrmsg(Errcode.Dropped, { subErrcode: SubErrcode.ForbidRequested })
 * // "The stream was disabled at your request"
 */
export function interruptionErrmsg(
  errcode: number,
  options: { subErrcode?: number | undefined; texts?: ErrmsgTexts } = {},
): string {
  const info = describeErrcode(errcode);
  if (options.texts === "legacy" && info.legacyErrmsg !== undefined) return info.legacyErrmsg;
  const sub = subErrcodeInfo(errcode, options.subErrcode);
  return sub ? withoutFullStop(sub.en) : info.errmsg;
}

/**
 * What Tencent's tables say about an interruption as its body tells it (`errcode` and `errmsg`):
 * the `sub_errcode` an `errmsg` of `interruptionErrmsg` names, and the 267/31083 texts.
 *
 * @example
 * describeInterruption(21, "A new push URL replaced the current one").subErrcode // 102
 */
export function describeInterruption(
  errcode: number,
  errmsg: string,
): { errcode: number; subErrcode: number | null; zh: string; en: string } {
  for (const [key, sub] of SUB_ERRCODES) {
    const [code, subCode] = key.split("/").map(Number);
    if (code === errcode && withoutFullStop(sub.en) === errmsg)
      return { errcode, subErrcode: subCode ?? null, zh: sub.zh, en: sub.en };
  }
  const info = describeErrcode(errcode);
  return { errcode, subErrcode: null, zh: info.zh, en: info.en };
}

function subErrcodeInfo(errcode: number, subErrcode: number | undefined) {
  if (subErrcode === undefined) return undefined;
  return SUB_ERRCODES.get(`${errcode}/${subErrcode}`);
}

function withoutFullStop(text: string): string {
  return text.endsWith(".") ? text.slice(0, -1) : text;
}

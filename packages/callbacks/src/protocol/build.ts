import { type ErrmsgTexts, interruptionErrmsg } from "./errcodes.js";
import type {
  InterruptionEvent,
  KnownCallbackEvent,
  PornDetectionEvent,
  PushEvent,
  RecordExceptionEvent,
  RecordFileEvent,
  RecordStatusEvent,
  RelayEvent,
  SnapshotEvent,
  UnsignedBody,
} from "./events.js";
import type { RecordExceptionCode, RecordExceptionLevel } from "./record-exceptions.js";
import { computeSign, expiryFor } from "./sign.js";

/**
 * Builders of the bodies OnAir sends. Each emits every field of Tencent's field tables with the
 * JSON types of Tencent's samples (267/47025, 267/38081, 267/38082, 267/38083: `appid` a number,
 * `sequence` and `push_duration` strings…), without the `t`/`sign` envelope, which `signBody` adds
 * fresh for every attempt.
 */

/**
 * Tencent types these fields int: a fraction (a size or time computed from media timestamps)
 * would make a typed receiver (Go, Rust) reject the whole body.
 */
const int = (n: number): number => Math.round(n);
/** Unix seconds (int64 in Tencent's tables) of a time that may carry a fraction. */
const unixSeconds = (s: number): number => Math.floor(s);

/** What a push or interruption is about: one publish of one stream. */
export interface PublishFacts {
  appid: number;
  /** Push domain. */
  app: string;
  /** AppName. */
  appname: string;
  stream_id: string;
  /** Unix seconds. */
  event_time: number;
  sequence: string;
  /** IP of the OnAir node that took the publish. */
  node: string;
  user_ip: string;
  /** Push-URL query string without the `?`. */
  stream_param: string;
  set_id: number;
  idc_id: number;
  width?: number;
  height?: number;
}

function publishFields(facts: PublishFacts) {
  return {
    appid: int(facts.appid),
    app: facts.app,
    appname: facts.appname,
    stream_id: facts.stream_id,
    channel_id: facts.stream_id,
    event_time: unixSeconds(facts.event_time),
    sequence: facts.sequence,
    node: facts.node,
    user_ip: facts.user_ip,
    stream_param: facts.stream_param,
    set_id: int(facts.set_id),
    idc_id: int(facts.idc_id),
    width: int(facts.width ?? 0),
    height: int(facts.height ?? 0),
  };
}

/**
 * event_type 1.
 *
 * @example
 * signBody(buildPushEvent(facts), { key, nowMs: Date.now() })
 */
export function buildPushEvent(facts: PublishFacts): UnsignedBody<PushEvent> {
  return { event_type: 1, ...publishFields(facts), errcode: 0, errmsg: "ok" };
}

/**
 * event_type 0: `errmsg` is the errcode's official text (`interruptionErrmsg`: the `subErrcode`'s
 * when given, the legacy table's with `errmsgTexts: "legacy"`); `push_duration` is milliseconds
 * as text.
 */
export function buildInterruptionEvent(
  facts: PublishFacts & {
    errcode: number;
    pushDurationMs: number;
    /** Why errcode 18 or 21 (`SubErrcode`); Tencent's body has no field for it, `errmsg` says it. */
    subErrcode?: number | undefined;
    errmsgTexts?: ErrmsgTexts;
  },
): UnsignedBody<InterruptionEvent> {
  return {
    event_type: 0,
    ...publishFields(facts),
    errcode: facts.errcode,
    errmsg: interruptionErrmsg(facts.errcode, {
      subErrcode: facts.subErrcode,
      texts: facts.errmsgTexts ?? "current",
    }),
    push_duration: String(Math.max(0, Math.round(facts.pushDurationMs))),
  };
}

/** Inputs of `buildRecordFileEvent`. */
export interface RecordFileFacts {
  appid: number;
  app: string;
  appname: string;
  stream_id: string;
  /** Absent for a CreateRecordTask recording: Tencent does not send it then (267/38082). */
  stream_param?: string;
  file_id: string;
  /** Lower-case on the wire (267/38082 lists FLV, HLS, MP4, AAC; MP3 is the template's Mp3Param). */
  file_format: "flv" | "hls" | "mp4" | "aac" | "mp3";
  task_id: string;
  /** When writing the file started and stopped, in milliseconds since the epoch. */
  startedAtMs: number;
  endedAtMs: number;
  /** Media duration in seconds (rounded in the body). */
  durationSeconds: number;
  file_size: number;
  video_url: string;
  /** Media timestamp (ms) of the first frame the file holds (Tencent 267/38082). */
  media_start_time: number;
  record_temp_id?: string;
  /** `callback_ext.video_codec` as Tencent writes it: `h264`, `h265`… ("" or absent: no video). */
  videoCodec?: string | undefined;
  /** `callback_ext.resolution`: `{width}x{height}`, e.g. `1920x1080` ("" or absent: unknown). */
  resolution?: string | undefined;
}

/**
 * A time in milliseconds (possibly fractional: recorders compute it from media timestamps) as
 * Tencent's integer pair of Unix seconds and the microseconds within that second. Tencent types
 * both int (267/38082): a fraction would make a typed receiver (Go, Rust) reject the whole body.
 */
function secondsAndMicros(ms: number): { seconds: number; micros: number } {
  const micros = Math.round(ms * 1000);
  return { seconds: Math.floor(micros / 1_000_000), micros: micros % 1_000_000 };
}

/**
 * event_type 100, with the 2022 fields (`_usec`, `media_start_time`, `record_bps`, `callback_ext`).
 * `callback_ext` is JSON in a string with Tencent's keys (267/38082 and real bodies):
 * `{"video_codec":"h264","session_id":"…","resolution":"1920x1080"}`.
 */
export function buildRecordFileEvent(facts: RecordFileFacts): UnsignedBody<RecordFileEvent> {
  const start = secondsAndMicros(facts.startedAtMs);
  const end = secondsAndMicros(facts.endedAtMs);
  const ext: Record<string, string> = {};
  if (facts.videoCodec) ext.video_codec = facts.videoCodec;
  ext.session_id = facts.task_id;
  if (facts.resolution) ext.resolution = facts.resolution;
  const body: UnsignedBody<RecordFileEvent> = {
    event_type: 100,
    appid: int(facts.appid),
    app: facts.app,
    appname: facts.appname,
    stream_id: facts.stream_id,
    channel_id: facts.stream_id,
    file_id: facts.file_id,
    record_file_id: facts.file_id,
    file_format: facts.file_format,
    task_id: facts.task_id,
    start_time: start.seconds,
    end_time: end.seconds,
    start_time_usec: start.micros,
    end_time_usec: end.micros,
    duration: Math.round(facts.durationSeconds),
    file_size: int(facts.file_size),
    video_url: facts.video_url,
    video_id: facts.file_id,
    media_start_time: Math.round(facts.media_start_time),
    record_bps: 0,
    callback_ext: JSON.stringify(ext),
  };
  if (facts.stream_param !== undefined) body.stream_param = facts.stream_param;
  if (facts.record_temp_id !== undefined) body.record_temp_id = facts.record_temp_id;
  return body;
}

/** Inputs of `buildSnapshotEvent`. */
export interface SnapshotFacts {
  appid: number;
  app: string;
  appname: string;
  stream_id: string;
  stream_param: string;
  /** Unix seconds. */
  create_time: number;
  file_size: number;
  width: number;
  height: number;
  /** Path without host, `/YYYY-MM-DD/{stream}-screenshot-HH-MM-SS-{W}x{H}.jpg`. */
  pic_url: string;
  /** Base URL the path is served under, e.g. `http://host:8080/files/snapshots`. */
  baseUrl: string;
}

/** event_type 200. */
export function buildSnapshotEvent(facts: SnapshotFacts): UnsignedBody<SnapshotEvent> {
  return {
    event_type: 200,
    appid: int(facts.appid),
    app: facts.app,
    appname: facts.appname,
    stream_id: facts.stream_id,
    channel_id: facts.stream_id,
    stream_param: facts.stream_param,
    create_time: unixSeconds(facts.create_time),
    file_size: int(facts.file_size),
    width: int(facts.width),
    height: int(facts.height),
    pic_url: facts.pic_url,
    pic_full_url: `${facts.baseUrl.replace(/\/$/, "")}${facts.pic_url}`,
  };
}

/** Inputs of `buildPornDetectionEvent`: what a classifier said about one screenshot. */
export interface ModerationFacts {
  appid: number;
  app: string;
  appname: string;
  stream_id: string;
  stream_param: string;
  /** URL of the screenshot. */
  img: string;
  /** Unix seconds. */
  screenshotTime: number;
  /** Unix seconds. */
  sendTime: number;
  /** `Porn`, `Sexy`, `Normal`… */
  label: string;
  subLabel: string;
  /** 0–100. */
  score: number;
  suggestion: "Block" | "Review" | "Pass";
  /** Per-scene results, Tencent's `labelResults`. */
  labelResults: {
    Scene: string;
    Label: string;
    SubLabel: string;
    Score: number;
    Suggestion: string;
  }[];
}

/**
 * One `labelResults` entry as Tencent sends it: a scene that passed is labelled `Normal` with no
 * sub-label (267/38084's sample: `{"Scene":"Sexy","Suggestion":"Pass","Label":"Normal",…}`).
 */
function labelResult(r: ModerationFacts["labelResults"][number]) {
  const passed = r.Suggestion === "Pass";
  return {
    HitFlag: passed ? 0 : 1,
    Scene: r.Scene,
    Suggestion: r.Suggestion,
    Label: passed ? "Normal" : r.Label,
    SubLabel: passed ? "" : r.SubLabel,
    Score: Math.round(r.Score),
    Details: [],
  };
}

/** Tencent's `type` code for a label (generation 2/3: 0 normal, 1 porn, 2 sexy…). */
const LABEL_TYPE: Readonly<Record<string, number>> = { Normal: 0, Porn: 1, Sexy: 2 };

/**
 * event_type 317 in the current ("image audit") shape of Tencent's page "Live Broadcasting Image
 * Audit Event Notification" (https://www.tencentcloud.com/document/product/267/38084,
 * generation 3), with the generation-1 score fields Tencent keeps for compatibility. `score` is
 * sent as an array and also under Tencent's misspelt `socre`, which its published sample uses, so
 * receivers written against either read it.
 */
export function buildPornDetectionEvent(
  facts: ModerationFacts,
): UnsignedBody<PornDetectionEvent> & { socre: number[] } {
  const sceneScore = (scene: string) =>
    facts.labelResults.find((r) => r.Scene === scene)?.Score ?? 0;
  const score = Math.round(facts.score);
  return {
    event_type: 317,
    appid: int(facts.appid),
    app: facts.app,
    appname: facts.appname,
    stream_param: facts.stream_param,
    streamId: facts.stream_id,
    channelId: facts.stream_id,
    img: facts.img,
    type: [LABEL_TYPE[facts.label] ?? 9],
    score: [score],
    socre: [score],
    suggestion: facts.suggestion,
    label: facts.suggestion === "Pass" ? "Normal" : facts.label,
    subLabel: facts.suggestion === "Pass" ? "" : facts.subLabel,
    ocrMsg: "",
    level: 0,
    labelResults: facts.labelResults.map(labelResult),
    objectResults: [],
    ocrResults: [],
    libResults: [],
    screenshotTime: unixSeconds(facts.screenshotTime),
    sendTime: unixSeconds(facts.sendTime),
    tid: 20001,
    confidence: Math.round(sceneScore("Porn")),
    normalScore: Math.round(sceneScore("Normal")),
    hotScore: Math.round(sceneScore("Sexy")),
    pornScore: Math.round(sceneScore("Porn")),
    // The scores of scenes OnAir does not classify, which 267/38084 says Tencent still sends for
    // compatibility (numbers, as in its sample): nothing was found there.
    polityScore: 0,
    illegalScore: 0,
    terrorScore: 0,
    similarScore: 0,
    abuseScore: 0,
    teenagerScore: 0,
    adScore: 0,
    customScore: 0,
    abductionRisk: [],
    faceDetails: [],
  };
}

/**
 * event_type 332. `record_detail` is JSON inside a string, with numeric `file_format` (1 FLV,
 * 2 HLS, 3 MP4, 4 AAC, 5 MP3: Tencent 267/58590).
 */
export function buildRecordStatusEvent(facts: {
  appid: number;
  appname: string;
  domain: string;
  stream_id: string;
  event_time: number;
  record_event: RecordStatusEvent["record_event"];
  session_id: string;
  seq: string;
  file_format: "flv" | "hls" | "mp4" | "aac" | "mp3";
  /**
   * The CreateRecordTask task that started the recording: sent as `task_id`, with
   * `record_detail.start_model` 5 (API) instead of 1 (template rule), Tencent 267/58590.
   */
  task_id?: string;
}): UnsignedBody<RecordStatusEvent> {
  const formatCode = { flv: 1, hls: 2, mp4: 3, aac: 4, mp3: 5 }[facts.file_format];
  return {
    event_type: 332,
    appid: int(facts.appid),
    appname: facts.appname,
    domain: facts.domain,
    stream_id: facts.stream_id,
    event_time: unixSeconds(facts.event_time),
    record_detail: JSON.stringify({
      file_format: formatCode,
      record_bps: 0,
      start_model: facts.task_id === undefined ? 1 : 5,
      record_content: 1,
      source_type: 1,
      codec_temp_id: 0,
    }),
    record_event: facts.record_event,
    seq: facts.seq,
    session_id: facts.session_id,
    ...(facts.task_id === undefined ? {} : { task_id: facts.task_id }),
  };
}

/**
 * event_type 341 (Tencent 267/68622). `file_format` is the container as Tencent names it: HLS
 * recordings are `ts`. `exception.type` is one of Tencent's negative codes (`RecordExceptionType`).
 */
export function buildRecordExceptionEvent(facts: {
  appid: number;
  domain: string;
  path: string;
  stream_id: string;
  session_id: string;
  file_format: "flv" | "hls" | "ts" | "mp4" | "aac" | "mp3";
  /** Unix seconds. */
  timestamp: number;
  exception_level: RecordExceptionLevel;
  exception: { type: RecordExceptionCode; occurs: number; desc: string };
}): UnsignedBody<RecordExceptionEvent> {
  return {
    interface: "general_callback",
    event_type: 341,
    appid: int(facts.appid),
    domain: facts.domain,
    path: facts.path,
    stream_id: facts.stream_id,
    session_id: facts.session_id,
    file_format: facts.file_format === "hls" ? "ts" : facts.file_format,
    timestamp: Math.floor(facts.timestamp),
    exception_level: facts.exception_level,
    exception: {
      type: facts.exception.type,
      occurs: Math.max(1, Math.round(facts.exception.occurs)),
      desc: facts.exception.desc,
    },
  };
}

/** What one 314 is about: the task, the event, and its `msg` object (see `buildRelayEvent`). */
export interface RelayFacts {
  appid: number;
  task_id: string;
  /** The target's StreamName ("" for a task with a full ToUrl). */
  stream_id: string;
  to_url: string;
  callback_url: string;
  source_urls: readonly string[];
  /** Unix seconds. */
  event_time: number;
  event:
    | { callback_event: "TaskStart"; task_start_time: number }
    | {
        callback_event: "VodSourceFileStart" | "VodSourceFileFinish";
        url: string;
        /** 0-based index into the task's SourceUrls. */
        index: number;
        /** The file's duration, seconds. */
        duration: number;
      }
    | { callback_event: "TaskExit"; task_exit_time: number; code: string; message: string }
    | { callback_event: "TaskAlarm"; alarm_type: string; message: string; url: string }
    | { callback_event: "ResetTaskConfig" };
}

/**
 * event_type 314, pull-and-relay (Tencent 267/42525): the fields of its table and samples, with
 * `source_urls` a JSON array in a string ending in a newline and `msg` a JSON object in a string,
 * as the samples show them. `msg` carries `task_start_time` (ms) for TaskStart, `url`, `index`
 * and `duration` (s) for the file events, `task_exit_time` (ms), `code` and `message` for
 * TaskExit. TaskAlarm's `alarm_type` (Tencent's AlarmType values), `message` and `url`, and
 * ResetTaskConfig's empty `msg`, are OnAir's: Tencent lists those events without a sample.
 */
export function buildRelayEvent(facts: RelayFacts): UnsignedBody<RelayEvent> {
  const { callback_event, ...details } = facts.event;
  const msg: Record<string, unknown> = { ...details };
  for (const key of ["task_start_time", "task_exit_time", "index", "duration"]) {
    if (typeof msg[key] === "number") msg[key] = Math.max(0, Math.round(msg[key] as number));
  }
  return {
    appid: int(facts.appid),
    interface: "general_callback",
    product_name: "pullpush",
    event_type: 314,
    callback_event,
    callback_url: facts.callback_url,
    task_id: facts.task_id,
    stream_id: facts.stream_id,
    to_url: facts.to_url,
    source_urls: `${JSON.stringify(facts.source_urls)}\n`,
    event_time: String(unixSeconds(facts.event_time)),
    msg: JSON.stringify(msg),
  };
}

/**
 * Adds the `t`/`sign` envelope for an attempt made at `nowMs`: `t` = now + 600 s as a number,
 * `sign` = MD5(key + t).
 */
export function signBody<B extends UnsignedBody<KnownCallbackEvent>>(
  body: B,
  options: { key: string; nowMs: number },
): B & { t: number; sign: string } {
  const t = expiryFor(options.nowMs);
  return { ...body, t, sign: computeSign(options.key, t) };
}

/**
 * The typed catalogue of callback bodies, one interface per `event_type`, with the JSON types of
 * Tencent's sample payloads (its event pages 267/38081 to 267/38084, 267/47025, 267/58590,
 * 267/68622, 267/58643, 267/53310 and 267/42525).
 *
 * Field optionality follows what real bodies show: a field is required only when every documented
 * sample and real body carries it. Parsed events keep every field of the wire body, including ones
 * not declared here, so fields Tencent adds later are not lost.
 */

/** `t` and `sign`: `sign = md5(CallbackKey + t)`, `t` = expiry in Unix seconds. */
export interface SignedEnvelope {
  /** Expiry of this notification, Unix seconds (send time + 600 at Tencent and OnAir). */
  t: number;
  /** Lower-case hex `MD5(CallbackKey + t)`. */
  sign: string;
}

/** Envelope of event types Tencent documents without `t`/`sign` (314, 315, 321). */
export interface OptionalEnvelope {
  t?: number;
  sign?: string;
}

/** Fields shared by push (1) and interruption (0). */
export interface StreamEventFields {
  /** The user's APPID. Absent in the legacy samples. */
  appid?: number;
  /** Push domain. */
  app: string;
  /** Push path (AppName), usually `live`. */
  appname: string;
  /** Stream name. */
  stream_id: string;
  /** Same as `stream_id` (two names for historical reasons). */
  channel_id: string;
  /** Unix seconds when the event happened. */
  event_time: number;
  /** Identifies one publish: a push and its interruption share it. */
  sequence: string;
  /** IP of the ingest node. */
  node: string;
  /** IP of the publisher. */
  user_ip: string;
  /** Query string of the push URL, e.g. `txSecret=…&txTime=…`. */
  stream_param: string;
  /** 0 on push; the interruption reason otherwise (see `ERRCODES`). */
  errcode?: number;
  /** Text of `errcode`. */
  errmsg?: string;
  /** 1–6: pushed from the Chinese mainland; 7–200: from elsewhere. */
  set_id?: number;
  /** Video width; 0 when unknown at push time. */
  width?: number;
  /** Video height; 0 when unknown at push time. */
  height?: number;
  /** Undocumented data-centre id seen in samples (34, 33). */
  idc_id?: number;
}

/** event_type 1: a publish started. */
export interface PushEvent extends SignedEnvelope, StreamEventFields {
  event_type: 1;
}

/** event_type 0: a publish ended. */
export interface InterruptionEvent extends SignedEnvelope, StreamEventFields {
  event_type: 0;
  /** How long the publish lasted, in milliseconds, as a decimal string (e.g. `"128581"`). */
  push_duration?: string;
}

/** event_type 100: a recording file is complete. */
export interface RecordFileEvent extends SignedEnvelope {
  event_type: 100;
  appid?: number;
  app?: string;
  appname?: string;
  stream_id: string;
  channel_id: string;
  /** VOD or storage file id. */
  file_id: string;
  /** Same as `file_id` in practice; once documented as deprecated. */
  record_file_id?: string;
  /** `flv`, `hls`, `mp4` or `aac` (lower-case on the wire). */
  file_format: string;
  task_id?: string;
  /** Unix seconds when the recorder started writing the file (content start = end_time − duration). */
  start_time: number;
  /** Unix seconds when the recorder stopped writing the file. */
  end_time: number;
  start_time_usec?: number;
  end_time_usec?: number;
  /** File duration in seconds. */
  duration: number;
  /** File size in bytes. */
  file_size: number;
  /** Push-URL query; absent for API-created recording tasks. */
  stream_param?: string;
  /** Download URL. */
  video_url: string;
  /** Legacy id, deprecated but still sent. */
  video_id?: string;
  /** pts (ms) of the first frame the recorder received. */
  media_start_time?: number;
  /** Bitrate (kbps) when a transcoded stream is recorded, else 0. */
  record_bps?: number;
  /** A JSON object encoded as a string, e.g. `{"video_codec":"h264","resolution":"640x480"}`. */
  callback_ext?: string;
  /** Undocumented; probably the recording template id. */
  record_temp_id?: string;
}

/** event_type 200: a new screenshot. */
export interface SnapshotEvent extends SignedEnvelope {
  event_type: 200;
  appid?: number;
  app?: string;
  appname?: string;
  stream_id: string;
  channel_id: string;
  stream_param?: string;
  /** Unix seconds when the screenshot was taken. */
  create_time: number;
  file_size?: number;
  width?: number;
  height?: number;
  /** Path without host, e.g. `/2016-09-12/stream-screenshot-10-03-08-1280x720.jpg`. */
  pic_url: string;
  /** Full download URL. Absent in the legacy sample. */
  pic_full_url?: string;
}

/** One entry of `labelResults`, `objectResults`, `ocrResults` or `libResults` (event 317). */
export interface ModerationResult {
  HitFlag?: number;
  Scene?: string;
  Suggestion?: string;
  Label?: string;
  SubLabel?: string;
  Score?: number;
  Text?: string;
  Names?: string[];
  Details?: Record<string, unknown>[];
  [field: string]: unknown;
}

/**
 * event_type 317: image moderation ("porn detection", 鉴黄). Mostly camelCase keys. Tencent only
 * calls back suspicious results. Tencent's sample misspells `score` as `socre`; parsing accepts both
 * and always yields `score` as an array.
 */
export interface PornDetectionEvent extends OptionalEnvelope {
  event_type: 317;
  appid?: number;
  app?: string;
  appname?: string;
  stream_param?: string;
  streamId?: string;
  channelId?: string;
  /** URL of the screenshot that was judged. */
  img: string;
  /** Category of the highest-priority negative label. */
  type: number[];
  /** Score(s) of `type`, 0–100. */
  score?: number[];
  /** `Block`, `Review` or `Pass`. */
  suggestion?: string;
  /** Highest-priority label, e.g. `Porn`, `Normal`. */
  label?: string;
  subLabel?: string;
  ocrMsg?: string;
  level?: number;
  labelResults?: ModerationResult[] | null;
  objectResults?: ModerationResult[] | null;
  ocrResults?: ModerationResult[] | null;
  libResults?: ModerationResult[] | null;
  /** Unix seconds when the screenshot was taken. */
  screenshotTime: number;
  /** Unix seconds when the result was sent. */
  sendTime?: number;
  /** Generation-1 fields kept by Tencent for compatibility. */
  tid?: number;
  confidence?: number;
  normalScore?: number;
  hotScore?: number;
  pornScore?: number;
  polityScore?: number;
  illegalScore?: number;
  terrorScore?: number;
  similarScore?: number;
  abuseScore?: number;
  teenagerScore?: number;
  adScore?: number;
  customScore?: number;
  abductionRisk?: unknown[];
  faceDetails?: unknown[];
}

/** event_type 315: audio moderation. Mixed-case keys; unsigned in Tencent's sample. */
export interface AudioModerationEvent extends OptionalEnvelope {
  event_type: 315;
  appid?: number;
  stream_id: string;
  channel_id?: string;
  domain?: string;
  path?: string;
  HitFlag?: number;
  Score?: number;
  SubTag?: string;
  label?: string;
  sub_label?: string;
  suggestion?: string;
  asr_text?: string;
  duration?: number;
  request_id?: string;
  seq?: number;
  task_id?: number;
  status?: number;
  [field: string]: unknown;
}

/** One `abnormal_event` entry of event 321. */
export interface PushAbnormality {
  /** 1–11, see Tencent's push-exception table. */
  type: number;
  count: number;
  detail: { desc: string; occur_time: number }[];
  type_desc_cn?: string;
  type_desc_en?: string;
  /** Always "true" on the current page (267/53310). */
  customer_visible?: string;
  /** A supplementary Chinese description (267/53310). */
  event_key?: string;
}

/** event_type 321: push exception report; unsigned in Tencent's sample. */
export interface PushExceptionEvent extends OptionalEnvelope {
  event_type: 321;
  appid?: number;
  stream_id: string;
  domain?: string;
  path?: string;
  sequence?: string;
  stream_param?: string;
  /** Callback time in milliseconds. */
  data_time: number;
  /** Reporting interval in milliseconds. */
  report_interval?: number;
  abnormal_event: PushAbnormality[];
  /** The publisher's address (the current page's table). */
  user_ip?: string;
  /** `"general_callback"` in the sample. */
  interface?: string;
  /** Callback timeout in milliseconds (the sample's, equal to `report_interval`). */
  timeout?: number;
}

/** `record_event` values of event 332. */
export type RecordStatusName =
  | "record_start_succeeded"
  | "record_start_failed"
  | "record_paused"
  | "record_resumed"
  | "record_error"
  | "record_ended";

/** event_type 332: recording status. Note `domain`, not `app`. */
export interface RecordStatusEvent extends SignedEnvelope {
  event_type: 332;
  appid?: number;
  appname?: string;
  domain?: string;
  stream_id: string;
  event_time: number;
  /** A JSON object encoded as a string; `parseJsonField` decodes it. */
  record_detail?: string;
  record_event: RecordStatusName | (string & {});
  task_id?: string;
  seq?: string;
  session_id: string;
}

/** event_type 341: recording exception. */
export interface RecordExceptionEvent extends SignedEnvelope {
  event_type: 341;
  /** `general_callback` in Tencent's sample. */
  interface?: string;
  appid?: number;
  domain?: string;
  path?: string;
  stream_id: string;
  session_id: string;
  /** `flv`, `ts`, `mp4`, `aac`. */
  file_format?: string;
  /** Callback time, Unix seconds. */
  timestamp: number;
  /** `info`, `warning` or `error`. */
  exception_level: "info" | "warning" | "error" | (string & {});
  exception: { type: number; occurs: number; desc: string };
}

/** event_type 314: pull-and-relay task progress; unsigned in Tencent's sample. */
export interface RelayEvent extends OptionalEnvelope {
  event_type: 314;
  appid?: number;
  /** `general_callback` in Tencent's samples. */
  interface?: string;
  /** `pullpush` in Tencent's samples. */
  product_name?: string;
  /** `TaskStart`, `VodSourceFileStart`, `VodSourceFileFinish`, `TaskExit`, `TaskAlarm`, … */
  callback_event: string;
  /** The task's CallbackUrl (in Tencent's VodSourceFileStart sample). */
  callback_url?: string;
  stream_id?: string;
  task_id: string;
  to_url?: string;
  /** A JSON array encoded as a string. */
  source_urls?: string;
  /** Unix seconds as a string (`string` in Tencent's table, 267/42525). */
  event_time?: string;
  /** A JSON object encoded as a string. */
  msg?: string;
}

/**
 * An event whose `event_type` this package does not know. The wire body is kept whole in `raw` so
 * event types Tencent adds later pass through untouched.
 */
export interface UnknownEvent {
  event_type: "unknown";
  /** The `event_type` number as sent. */
  wire_event_type: number;
  /** The whole body, as parsed from JSON. */
  raw: Readonly<Record<string, unknown>>;
}

/** Every event type this package has a typed variant for. */
export type KnownCallbackEvent =
  | PushEvent
  | InterruptionEvent
  | RecordFileEvent
  | SnapshotEvent
  | PornDetectionEvent
  | AudioModerationEvent
  | PushExceptionEvent
  | RecordStatusEvent
  | RecordExceptionEvent
  | RelayEvent;

/** A parsed callback: narrow it with `switch (event.event_type)`. */
export type CallbackEvent = KnownCallbackEvent | UnknownEvent;

/** The typed variant for one `event_type` number. */
export type EventOfType<T extends KnownCallbackEvent["event_type"]> = Extract<
  KnownCallbackEvent,
  { event_type: T }
>;

/** A body as OnAir builds it before the envelope is added (see `signBody`). */
export type UnsignedBody<E extends KnownCallbackEvent> = Omit<E, "t" | "sign">;

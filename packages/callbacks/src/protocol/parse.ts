import { CallbackVerificationError } from "../errors.js";
import { isKnownEventType } from "./event-type.js";
import type { CallbackEvent, KnownCallbackEvent } from "./events.js";

/**
 * How a field is read. Real bodies drift in type (Tencent's legacy page 267/5957 types `t` and
 * `file_size` as strings): `t`, `file_size` and `push_duration` arrive as strings or numbers, so
 * each kind accepts both and yields the type of Tencent's current samples (267/38081, 267/38082).
 */
type FieldKind =
  | "int"
  | "string"
  | "decimalString"
  | "intArray"
  | "array"
  | "object"
  | "arrayOrNull";

interface FieldRule {
  kind: FieldKind;
  required: boolean;
}

type Schema = Readonly<Record<string, FieldRule>>;

const req = (kind: FieldKind): FieldRule => ({ kind, required: true });
const opt = (kind: FieldKind): FieldRule => ({ kind, required: false });

/** Event types Tencent signs: `t` and `sign` are part of their shape. */
const signed: Schema = { t: req("int"), sign: req("string") };
/** Event types whose documented samples come unsigned (314, 315, 317 generation 1, 321). */
const maybeSigned: Schema = { t: opt("int"), sign: opt("string") };

const stream: Schema = {
  ...signed,
  appid: opt("int"),
  app: req("string"),
  appname: req("string"),
  stream_id: req("string"),
  channel_id: req("string"),
  event_time: req("int"),
  sequence: req("string"),
  node: req("string"),
  user_ip: req("string"),
  stream_param: req("string"),
  errcode: opt("int"),
  errmsg: opt("string"),
  set_id: opt("int"),
  width: opt("int"),
  height: opt("int"),
  idc_id: opt("int"),
};

const moderationArray = opt("arrayOrNull");

const SCHEMAS: Readonly<Record<KnownCallbackEvent["event_type"], Schema>> = {
  1: stream,
  0: { ...stream, push_duration: opt("decimalString") },
  100: {
    ...signed,
    appid: opt("int"),
    app: opt("string"),
    appname: opt("string"),
    stream_id: req("string"),
    channel_id: req("string"),
    file_id: req("string"),
    record_file_id: opt("string"),
    file_format: req("string"),
    task_id: opt("string"),
    start_time: req("int"),
    end_time: req("int"),
    start_time_usec: opt("int"),
    end_time_usec: opt("int"),
    duration: req("int"),
    file_size: req("int"),
    stream_param: opt("string"),
    video_url: req("string"),
    video_id: opt("string"),
    media_start_time: opt("int"),
    record_bps: opt("int"),
    callback_ext: opt("string"),
    record_temp_id: opt("string"),
  },
  200: {
    ...signed,
    appid: opt("int"),
    app: opt("string"),
    appname: opt("string"),
    stream_id: req("string"),
    channel_id: req("string"),
    stream_param: opt("string"),
    create_time: req("int"),
    file_size: opt("int"),
    width: opt("int"),
    height: opt("int"),
    pic_url: req("string"),
    pic_full_url: opt("string"),
  },
  317: {
    ...maybeSigned,
    appid: opt("int"),
    app: opt("string"),
    appname: opt("string"),
    stream_param: opt("string"),
    streamId: opt("string"),
    channelId: opt("string"),
    img: req("string"),
    type: req("intArray"),
    score: opt("intArray"),
    suggestion: opt("string"),
    label: opt("string"),
    subLabel: opt("string"),
    ocrMsg: opt("string"),
    level: opt("int"),
    labelResults: moderationArray,
    objectResults: moderationArray,
    ocrResults: moderationArray,
    libResults: moderationArray,
    screenshotTime: req("int"),
    sendTime: opt("int"),
  },
  315: {
    ...maybeSigned,
    appid: opt("int"),
    stream_id: req("string"),
    channel_id: opt("string"),
    domain: opt("string"),
    path: opt("string"),
    HitFlag: opt("int"),
    Score: opt("int"),
    SubTag: opt("string"),
    label: opt("string"),
    sub_label: opt("string"),
    suggestion: opt("string"),
    asr_text: opt("string"),
    duration: opt("int"),
    request_id: opt("string"),
    seq: opt("int"),
    status: opt("int"),
  },
  321: {
    ...maybeSigned,
    appid: opt("int"),
    stream_id: req("string"),
    domain: opt("string"),
    path: opt("string"),
    sequence: opt("string"),
    stream_param: opt("string"),
    data_time: req("int"),
    report_interval: opt("int"),
    abnormal_event: req("array"),
  },
  332: {
    ...signed,
    appid: opt("int"),
    appname: opt("string"),
    domain: opt("string"),
    stream_id: req("string"),
    event_time: req("int"),
    record_detail: opt("string"),
    record_event: req("string"),
    task_id: opt("string"),
    seq: opt("string"),
    session_id: req("string"),
  },
  341: {
    ...signed,
    appid: opt("int"),
    domain: opt("string"),
    path: opt("string"),
    stream_id: req("string"),
    session_id: req("string"),
    file_format: opt("string"),
    timestamp: req("int"),
    exception_level: req("string"),
    exception: req("object"),
  },
  314: {
    ...maybeSigned,
    appid: opt("int"),
    interface: opt("string"),
    product_name: opt("string"),
    callback_event: req("string"),
    callback_url: opt("string"),
    event_time: opt("string"),
    stream_id: opt("string"),
    task_id: req("string"),
    to_url: opt("string"),
    source_urls: opt("string"),
    msg: opt("string"),
  },
};

const INTEGER_TEXT = /^-?\d+$/;

function invalid(field: string, expected: string): CallbackVerificationError {
  return new CallbackVerificationError(
    "ONAIR_ERR_CALLBACK_INVALID_PAYLOAD",
    `${field} must be ${expected}`,
  );
}

function readInt(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string" && INTEGER_TEXT.test(value.trim())) return Number(value.trim());
  throw invalid(field, "an integer (number or decimal string)");
}

function coerce(field: string, kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case "int":
      return readInt(field, value);
    case "string":
      if (typeof value === "string") return value;
      // Ids such as `sequence` or `file_id` occasionally arrive as JSON numbers.
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      throw invalid(field, "a string");
    case "decimalString":
      return String(readInt(field, value));
    case "intArray":
      if (Array.isArray(value)) return value.map((item, i) => readInt(`${field}[${i}]`, item));
      return [readInt(field, value)];
    case "array":
      if (Array.isArray(value)) return value;
      throw invalid(field, "an array");
    case "arrayOrNull":
      if (value === null || Array.isArray(value)) return value;
      throw invalid(field, "an array or null");
    case "object":
      if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
      throw invalid(field, "an object");
  }
}

/** Options of `parseEvent`. */
export interface ParseOptions {
  /** Reject event types with no typed variant instead of returning an `UnknownEvent`. */
  strict?: boolean;
}

/**
 * Turns a JSON value into a typed callback event: known fields are coerced to the types of
 * Tencent's samples (267/38081…), unknown fields are kept as they are. Throws
 * `CallbackVerificationError` (`ONAIR_ERR_CALLBACK_INVALID_PAYLOAD`, or `…_UNKNOWN_EVENT_TYPE` in
 * strict mode).
 *
 * This checks shape only; `verify` also checks the signature.
 */
export function parseEvent(json: unknown, options: ParseOptions = {}): CallbackEvent {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid("body", "a JSON object");
  }
  const body = json as Record<string, unknown>;
  if (body.event_type === undefined) throw invalid("event_type", "present");
  const eventType = readInt("event_type", body.event_type);
  if (!isKnownEventType(eventType)) {
    if (options.strict) {
      throw new CallbackVerificationError(
        "ONAIR_ERR_CALLBACK_UNKNOWN_EVENT_TYPE",
        `event_type ${eventType}`,
      );
    }
    return { event_type: "unknown", wire_event_type: eventType, raw: body };
  }
  const schema = SCHEMAS[eventType];
  const event: Record<string, unknown> = { ...body, event_type: eventType };
  // Tencent's 317 sample spells `score` as `socre`; accept it as an alias.
  if (eventType === 317 && event.score === undefined && event.socre !== undefined) {
    event.score = event.socre;
  }
  for (const [field, rule] of Object.entries(schema)) {
    const value = event[field];
    if (value === undefined) {
      if (rule.required) throw invalid(field, "present");
      continue;
    }
    if (value === null && !rule.required && rule.kind !== "arrayOrNull") {
      delete event[field];
      continue;
    }
    event[field] = coerce(field, rule.kind, value);
  }
  return event as unknown as KnownCallbackEvent;
}

/**
 * Decodes a field that Tencent sends as JSON inside a string (`callback_ext`, `record_detail`,
 * `msg`, `source_urls`). Returns `undefined` when it is absent or not valid JSON.
 */
export function parseJsonField(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

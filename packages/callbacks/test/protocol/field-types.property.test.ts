import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  buildInterruptionEvent,
  buildPornDetectionEvent,
  buildPushEvent,
  buildRecordExceptionEvent,
  buildRecordFileEvent,
  buildRecordStatusEvent,
  buildRelayEvent,
  buildSnapshotEvent,
  RecordExceptionType,
} from "../../src/index.js";

/**
 * Every builder of @onair/callbacks against Tencent's field tables: for random inputs (times,
 * durations and sizes with fractions, as recorders compute them), each field Tencent types int
 * (int, int64, uint64, or Number with integer samples) is an integer and each string field a
 * string. One table per event, from Tencent's pages: 267/47025 and 267/38081 (1 and 0),
 * 267/38082 (100), 267/38083 (200), 267/38084 (317), 267/58590 (332), 267/68622 (341),
 * 267/42525 (314, whose `msg` and `source_urls` are JSON inside strings).
 */
type FieldType = "int" | "string" | "int[]" | "array" | "json-string" | "object";
type FieldTable = Readonly<Record<string, FieldType>>;

const PUBLISH: FieldTable = {
  event_type: "int",
  appid: "int",
  app: "string",
  appname: "string",
  stream_id: "string",
  channel_id: "string",
  event_time: "int",
  sequence: "string",
  node: "string",
  user_ip: "string",
  stream_param: "string",
  errcode: "int",
  errmsg: "string",
  set_id: "int",
  width: "int",
  height: "int",
  idc_id: "int",
};
const RELAY: FieldTable = {
  appid: "int",
  interface: "string",
  product_name: "string",
  event_type: "int",
  callback_event: "string",
  callback_url: "string",
  task_id: "string",
  stream_id: "string",
  to_url: "string",
  source_urls: "json-string",
  event_time: "string",
  msg: "json-string",
};
/** The fields of 314's `msg` (267/42525), with OnAir's TaskAlarm fields. */
const RELAY_MSG: FieldTable = {
  task_start_time: "int",
  url: "string",
  index: "int",
  duration: "int",
  task_exit_time: "int",
  code: "string",
  message: "string",
  alarm_type: "string",
};
const TABLES: Readonly<Record<number, FieldTable>> = {
  314: RELAY,
  1: PUBLISH,
  0: { ...PUBLISH, push_duration: "string" },
  100: {
    event_type: "int",
    appid: "int",
    app: "string",
    appname: "string",
    stream_id: "string",
    channel_id: "string",
    file_id: "string",
    record_file_id: "string",
    file_format: "string",
    task_id: "string",
    start_time: "int",
    end_time: "int",
    start_time_usec: "int",
    end_time_usec: "int",
    duration: "int",
    file_size: "int",
    stream_param: "string",
    video_url: "string",
    video_id: "string",
    media_start_time: "int",
    record_bps: "int",
    callback_ext: "json-string",
    record_temp_id: "string",
  },
  200: {
    event_type: "int",
    appid: "int",
    app: "string",
    appname: "string",
    stream_id: "string",
    channel_id: "string",
    stream_param: "string",
    create_time: "int",
    file_size: "int",
    width: "int",
    height: "int",
    pic_url: "string",
    pic_full_url: "string",
  },
  317: {
    event_type: "int",
    appid: "int",
    app: "string",
    appname: "string",
    stream_param: "string",
    streamId: "string",
    channelId: "string",
    img: "string",
    type: "int[]",
    score: "int[]",
    socre: "int[]",
    suggestion: "string",
    label: "string",
    subLabel: "string",
    ocrMsg: "string",
    level: "int",
    labelResults: "array",
    objectResults: "array",
    ocrResults: "array",
    libResults: "array",
    screenshotTime: "int",
    sendTime: "int",
    tid: "int",
    confidence: "int",
    normalScore: "int",
    hotScore: "int",
    pornScore: "int",
    polityScore: "int",
    illegalScore: "int",
    terrorScore: "int",
    similarScore: "int",
    abuseScore: "int",
    teenagerScore: "int",
    adScore: "int",
    customScore: "int",
    abductionRisk: "array",
    faceDetails: "array",
  },
  332: {
    event_type: "int",
    appid: "int",
    appname: "string",
    domain: "string",
    stream_id: "string",
    event_time: "int",
    record_detail: "json-string",
    record_event: "string",
    task_id: "string",
    seq: "string",
    session_id: "string",
  },
  341: {
    interface: "string",
    event_type: "int",
    appid: "int",
    domain: "string",
    path: "string",
    stream_id: "string",
    session_id: "string",
    file_format: "string",
    timestamp: "int",
    exception_level: "string",
    exception: "object",
  },
};
/** Nested tables: `labelResults[]` (267/38084), `record_detail` (267/58590), `exception` (267/68622). */
const LABEL_RESULT: FieldTable = {
  HitFlag: "int",
  Scene: "string",
  Suggestion: "string",
  Label: "string",
  SubLabel: "string",
  Score: "int",
  Details: "array",
};
const RECORD_DETAIL: FieldTable = {
  file_format: "int",
  record_bps: "int",
  start_model: "int",
  record_content: "int",
  source_type: "int",
  codec_temp_id: "int",
};
const EXCEPTION: FieldTable = { type: "int", occurs: "int", desc: "string" };
const CALLBACK_EXT: FieldTable = {
  video_codec: "string",
  session_id: "string",
  resolution: "string",
};

function check(where: string, value: unknown, table: FieldTable): void {
  assert.equal(typeof value, "object", `${where} is an object`);
  for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
    const type = table[field];
    assert.ok(type, `${where}.${field} is in Tencent's table`);
    const at = `${where}.${field} = ${JSON.stringify(v)}`;
    switch (type) {
      case "int":
        assert.ok(Number.isInteger(v), at);
        break;
      case "string":
        assert.equal(typeof v, "string", at);
        break;
      case "int[]":
        assert.ok(Array.isArray(v) && v.every((n) => Number.isInteger(n)), at);
        break;
      case "array":
        assert.ok(Array.isArray(v), at);
        break;
      case "json-string":
        assert.equal(typeof v, "string", at);
        break;
      case "object":
        assert.ok(v !== null && typeof v === "object" && !Array.isArray(v), at);
        break;
    }
  }
}

function checkBody(body: { event_type: number } & Record<string, unknown>): void {
  const table = TABLES[body.event_type];
  assert.ok(table, `a table for ${body.event_type}`);
  check(`${body.event_type}`, body, table);
  if (body.event_type === 100)
    check("callback_ext", JSON.parse(String(body.callback_ext)), CALLBACK_EXT);
  if (body.event_type === 332)
    check("record_detail", JSON.parse(String(body.record_detail)), RECORD_DETAIL);
  if (body.event_type === 341) check("exception", body.exception, EXCEPTION);
  if (body.event_type === 314) {
    check("msg", JSON.parse(String(body.msg)), RELAY_MSG);
    const urls = String(body.source_urls);
    assert.ok(urls.endsWith("\n"), "source_urls ends in a newline, as Tencent's samples do");
    assert.ok(Array.isArray(JSON.parse(urls)), "source_urls is a JSON array");
  }
  if (body.event_type === 317)
    for (const r of body.labelResults as unknown[]) check("labelResults[]", r, LABEL_RESULT);
}

/** Numbers as recorders and clocks produce them: fractions included, never NaN or infinite. */
const real = (max: number) => fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true });
const ms = real(4e12);
const text = fc.string({ maxLength: 12 });

const publish = fc.record({
  appid: real(2e9),
  app: text,
  appname: text,
  stream_id: text,
  event_time: real(4e9),
  sequence: text,
  node: text,
  user_ip: text,
  stream_param: text,
  set_id: real(200),
  idc_id: real(100),
  width: real(8192),
  height: real(8192),
});

const RUNS = { numRuns: 300 };

test("push (1) and interruption (0): int fields are integers, strings strings", () => {
  fc.assert(
    fc.property(
      publish,
      fc.integer({ min: 0, max: 40 }),
      real(1e9),
      fc.constantFrom(undefined, 100, 101, 102),
      fc.constantFrom("current" as const, "legacy" as const),
      (facts, errcode, pushDurationMs, subErrcode, errmsgTexts) => {
        checkBody(buildPushEvent(facts));
        checkBody(
          buildInterruptionEvent({ ...facts, errcode, pushDurationMs, subErrcode, errmsgTexts }),
        );
      },
    ),
    RUNS,
  );
});

test("new recording file (100): int fields are integers, strings strings", () => {
  fc.assert(
    fc.property(
      ms,
      real(1e8),
      real(1e12),
      real(1e7),
      fc.constantFrom(
        "flv" as const,
        "hls" as const,
        "mp4" as const,
        "aac" as const,
        "mp3" as const,
      ),
      fc.option(fc.constantFrom("h264", "h265"), { nil: undefined }),
      fc.option(fc.constantFrom("1920x1080", "640x360"), { nil: undefined }),
      (startedAtMs, lengthMs, fileSize, mediaStart, format, videoCodec, resolution) => {
        checkBody(
          buildRecordFileEvent({
            appid: 1,
            app: "a",
            appname: "live",
            stream_id: "s",
            stream_param: "",
            file_id: "f",
            file_format: format,
            task_id: "t",
            startedAtMs,
            endedAtMs: startedAtMs + lengthMs,
            durationSeconds: lengthMs / 1000,
            file_size: fileSize,
            video_url: "http://127.0.0.1/files/f",
            media_start_time: mediaStart,
            record_temp_id: "3",
            videoCodec,
            resolution,
          }),
        );
      },
    ),
    RUNS,
  );
});

test("new screenshot (200): int fields are integers, strings strings", () => {
  fc.assert(
    fc.property(real(4e9), real(1e8), real(8192), real(8192), (createTime, size, w, h) => {
      checkBody(
        buildSnapshotEvent({
          appid: 1,
          app: "a",
          appname: "live",
          stream_id: "s",
          stream_param: "",
          create_time: createTime,
          file_size: size,
          width: w,
          height: h,
          pic_url: "/x.jpg",
          baseUrl: "http://127.0.0.1/files/snapshots/",
        }),
      );
    }),
    RUNS,
  );
});

test("porn detection (317): int fields are integers, strings strings, nested results too", () => {
  const result = fc.record({
    Scene: fc.constantFrom("Porn", "Sexy", "Normal"),
    Label: fc.constantFrom("Porn", "Sexy", "Normal"),
    SubLabel: fc.constantFrom("", "PornHigh"),
    Score: real(100),
    Suggestion: fc.constantFrom("Block", "Review", "Pass"),
  });
  fc.assert(
    fc.property(
      real(4e9),
      real(4e9),
      real(100),
      fc.constantFrom("Block" as const, "Review" as const, "Pass" as const),
      fc.array(result, { maxLength: 4 }),
      (shotAt, sentAt, score, suggestion, labelResults) => {
        checkBody(
          buildPornDetectionEvent({
            appid: 1,
            app: "a",
            appname: "live",
            stream_id: "s",
            stream_param: "",
            img: "http://127.0.0.1/x.jpg",
            screenshotTime: shotAt,
            sendTime: sentAt,
            label: "Porn",
            subLabel: "PornHigh",
            score,
            suggestion,
            labelResults,
          }),
        );
      },
    ),
    RUNS,
  );
});

test("recording status (332) and exception (341): int fields are integers, strings strings", () => {
  const types = Object.values(RecordExceptionType);
  fc.assert(
    fc.property(
      real(4e9),
      fc.constantFrom(
        "flv" as const,
        "hls" as const,
        "mp4" as const,
        "aac" as const,
        "mp3" as const,
      ),
      fc.constantFrom(...types),
      real(1000),
      (at, format, type, occurs) => {
        checkBody(
          buildRecordStatusEvent({
            appid: 1,
            appname: "live",
            domain: "d",
            stream_id: "s",
            event_time: at,
            record_event: "record_start_succeeded",
            session_id: "x",
            seq: "1",
            file_format: format,
          }),
        );
        checkBody(
          buildRecordExceptionEvent({
            appid: 1,
            domain: "d",
            path: "live",
            stream_id: "s",
            session_id: "x",
            file_format: format,
            timestamp: at,
            exception_level: "error",
            exception: { type, occurs, desc: "d" },
          }),
        );
      },
    ),
    RUNS,
  );
});

test("pull-and-relay (314): int fields are integers, msg and source_urls JSON in strings", () => {
  const url = text.map((path) => `http://127.0.0.1/${encodeURIComponent(path)}.mp4`);
  const urls = fc.array(url, { minLength: 1, maxLength: 3 });
  const event = fc.oneof(
    fc.record({ callback_event: fc.constant("TaskStart" as const), task_start_time: ms }),
    fc.record({
      callback_event: fc.constantFrom(
        "VodSourceFileStart" as const,
        "VodSourceFileFinish" as const,
      ),
      url,
      index: real(30),
      duration: real(1e5),
    }),
    fc.record({
      callback_event: fc.constant("TaskExit" as const),
      task_exit_time: ms,
      code: fc.constantFrom("0", "1"),
      message: text,
    }),
    fc.record({
      callback_event: fc.constant("TaskAlarm" as const),
      alarm_type: fc.constantFrom("PullFileFailed", "PushStreamFailed", "FileEndEarly"),
      message: text,
      url,
    }),
    fc.record({ callback_event: fc.constant("ResetTaskConfig" as const) }),
  );
  fc.assert(
    fc.property(urls, event, real(4e9), real(2e9), (sourceUrls, details, at, appid) => {
      checkBody(
        buildRelayEvent({
          appid,
          task_id: "pull_1",
          stream_id: "s",
          to_url: "rtmp://127.0.0.1/live/s",
          callback_url: "http://127.0.0.1/cb",
          source_urls: sourceUrls,
          event_time: at,
          event: details,
        }),
      );
    }),
    RUNS,
  );
});

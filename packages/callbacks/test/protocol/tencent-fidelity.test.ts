import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildInterruptionEvent,
  buildPornDetectionEvent,
  buildRecordExceptionEvent,
  buildRecordFileEvent,
  describeInterruption,
  ERRCODES,
  Errcode,
  interruptionErrmsg,
  RecordExceptionType,
  SubErrcode,
} from "../../src/index.js";

const publish = {
  appid: 1,
  app: "push.example.com",
  appname: "live",
  stream_id: "cam1",
  event_time: 1_700_000_000,
  sequence: "42",
  node: "127.0.0.1",
  user_ip: "127.0.0.1",
  stream_param: "",
  set_id: 2,
  idc_id: 0,
};

test("100: callback_ext has Tencent's keys video_codec, session_id and resolution (267/38082)", () => {
  const body = buildRecordFileEvent({
    appid: 1,
    app: "push.example.com",
    appname: "live",
    stream_id: "cam1",
    stream_param: "",
    file_id: "f1",
    file_format: "hls",
    task_id: "1820625260475124043",
    startedAtMs: 1_700_000_000_000,
    endedAtMs: 1_700_000_060_000,
    durationSeconds: 60,
    file_size: 10,
    video_url: "http://127.0.0.1/files/f1.m3u8",
    media_start_time: 80,
    videoCodec: "h264",
    resolution: "1920x1080",
  });
  // The real body of 267/38082's era: {"video_codec":"h264","session_id":"…","resolution":"1920x1080"}
  assert.equal(
    body.callback_ext,
    '{"video_codec":"h264","session_id":"1820625260475124043","resolution":"1920x1080"}',
  );
  assert.equal(body.media_start_time, 80);
});

test("0: a Drop, a Forbid and a replacement say so in errmsg, not 'internal error'", () => {
  const errmsg = (subErrcode?: number) =>
    buildInterruptionEvent({
      ...publish,
      errcode: Errcode.Dropped,
      pushDurationMs: 1000,
      subErrcode,
    }).errmsg;
  assert.equal(errmsg(SubErrcode.DropRequested), "The stream was stopped at your request");
  assert.equal(errmsg(SubErrcode.ForbidRequested), "The stream was disabled at your request");
  assert.equal(errmsg(SubErrcode.Replaced), "A new push URL replaced the current one");
  assert.equal(errmsg(), "The stream was stopped at your request");
  for (const sub of [undefined, 100, 101, 102])
    assert.notEqual(errmsg(sub), "The live streaming system has an internal error");
});

test("0: every errcode OnAir sends has the text of Tencent's tables (267/38081, 267/31083)", () => {
  const expected: Record<number, string> = {
    1: "The push client actively stopped the push",
    2: "The push client actively stopped the push",
    3: "The push client actively stopped the push",
    4: "The push client actively stopped the push",
    5: "The live streaming system has an internal error",
    6: "Abnormal RTMP protocol content",
    7: "The size of a single RTMP frame exceeds the maximum value allowed by the configuration",
    8: "The system actively stopped the push with no data for a long time",
    19: "Third-party authentication failure",
    21: "The stream was stopped at your request",
    33: "Abnormal RTMP AMF data",
    37: "SRS stopped the stream because it was not played",
    39: "Exceeded the maximum frame size allowed for push",
  };
  for (const [code, text] of Object.entries(expected))
    assert.equal(interruptionErrmsg(Number(code)), text, `errcode ${code}`);
  for (const named of Object.values(Errcode)) assert.ok(ERRCODES.has(named));
});

test("0: the legacy texts of Tencent's old table for handlers that match on them", () => {
  const legacy = (errcode: number) =>
    buildInterruptionEvent({ ...publish, errcode, pushDurationMs: 0, errmsgTexts: "legacy" })
      .errmsg;
  assert.equal(legacy(1), "recv rtmp deleteStream");
  assert.equal(legacy(2), "recv rtmp closeStream");
  assert.equal(legacy(3), "recv() return 0");
  assert.equal(legacy(4), "recv() return error");
  assert.equal(legacy(7), "rtmp message large than 1M");
  // The old table had no wire text for the other codes: they keep the current one.
  assert.equal(legacy(21), "The stream was stopped at your request");
});

test("describeInterruption reads the sub_errcode back from errmsg (StopReason uses it)", () => {
  const replaced = describeInterruption(21, interruptionErrmsg(21, { subErrcode: 102 }));
  assert.equal(replaced.subErrcode, 102);
  assert.equal(replaced.en, "A new push URL replaced the current one.");
  assert.equal(describeInterruption(3, "recv() return 0").en, ERRCODES.get(3)?.en);
});

test("317: a scene that passed is labelled Normal; a porn hit is PornHigh; compatibility scores", () => {
  const body = buildPornDetectionEvent({
    appid: 1,
    app: "push.example.com",
    appname: "live",
    stream_id: "cam1",
    stream_param: "",
    img: "http://127.0.0.1/x.jpg",
    screenshotTime: 1_700_000_000,
    sendTime: 1_700_000_001,
    label: "Porn",
    subLabel: "PornHigh",
    score: 99,
    suggestion: "Block",
    labelResults: [
      { Scene: "Porn", Label: "Porn", SubLabel: "PornHigh", Score: 99, Suggestion: "Block" },
      { Scene: "Sexy", Label: "Sexy", SubLabel: "", Score: 3, Suggestion: "Pass" },
    ],
  });
  assert.deepEqual(
    body.labelResults?.map((r) => [r.Scene, r.Label, r.SubLabel, r.HitFlag]),
    [
      ["Porn", "Porn", "PornHigh", 1],
      ["Sexy", "Normal", "", 0],
    ],
  );
  for (const field of [
    "polityScore",
    "illegalScore",
    "terrorScore",
    "similarScore",
    "abuseScore",
    "teenagerScore",
    "adScore",
    "customScore",
  ] as const)
    assert.equal(body[field], 0, field);
});

test("341: HLS is file_format ts and exception.type is Tencent's negative code (267/68622)", () => {
  const body = buildRecordExceptionEvent({
    appid: 1,
    domain: "push.example.com",
    path: "live",
    stream_id: "cam1",
    session_id: "s",
    file_format: "hls",
    timestamp: 1_700_000_000,
    exception_level: "error",
    exception: { type: RecordExceptionType.WriteFailed, occurs: 1, desc: "disk full" },
  });
  assert.equal(body.file_format, "ts");
  assert.equal(body.exception.type, -104);
});

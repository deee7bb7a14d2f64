import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  buildInterruptionEvent,
  buildPornDetectionEvent,
  buildPushEvent,
  buildRecordExceptionEvent,
  buildRecordFileEvent,
  buildRecordStatusEvent,
  buildSnapshotEvent,
  type PublishFacts,
  parseEvent,
  signBody,
} from "../../src/index.js";
import { sample } from "../fixtures.js";

const publish: PublishFacts = {
  appid: 12345678,
  app: "test.domain.com",
  appname: "live",
  stream_id: "test_stream",
  event_time: 1703731478,
  sequence: "2210464508206756938",
  node: "42.81.194.37",
  user_ip: "1.1.1.1",
  stream_param: "stream_param=test",
  set_id: 2,
  idc_id: 34,
  width: 1280,
  height: 720,
};
const nowMs = 1703731478_000;
const key = "mykey";

const built: Record<string, Record<string, unknown>> = {
  "push-2023": signBody(buildPushEvent(publish), { key, nowMs }),
  "interruption-2023": signBody(
    buildInterruptionEvent({ ...publish, errcode: 1, pushDurationMs: 128_581.4 }),
    { key, nowMs },
  ),
  "record-2022": signBody(
    buildRecordFileEvent({
      appid: 12345678,
      app: "yourapp",
      appname: "yourappname",
      stream_id: "stream_test",
      stream_param: "stream_param=test",
      file_id: "1234567890",
      file_format: "hls",
      task_id: "task-1",
      startedAtMs: 1642089445_316,
      endedAtMs: 1642089598_618,
      durationSeconds: 153.7,
      file_size: 277941079,
      video_url: "http://127.0.0.1:8080/files/x.m3u8",
      media_start_time: 135802,
      videoCodec: "h264",
      resolution: "640x480",
    }),
    { key, nowMs },
  ),
  "snapshot-current": signBody(
    buildSnapshotEvent({
      appid: 1,
      app: "test.app",
      appname: "live",
      stream_id: "your_streamid",
      stream_param: "txSecret=a&txTime=60B83800",
      create_time: 1622599925,
      file_size: 30670,
      width: 1280,
      height: 720,
      pic_url: "/2021-06-02/your_streamid-screenshot-10-12-05-1280x720.jpg",
      baseUrl: "http://127.0.0.1:8080/files/snapshots/",
    }),
    { key, nowMs },
  ),
  "porn-current": signBody(
    buildPornDetectionEvent({
      appid: 10000,
      app: "5000.myqcloud.com",
      appname: "live",
      stream_id: "teststream",
      stream_param: "txSecret=a&txTime=5DEBEC80",
      img: "http://127.0.0.1:8080/files/a.jpg",
      screenshotTime: 1610640000,
      sendTime: 1615859827,
      label: "Porn",
      subLabel: "PornHigh",
      score: 98.6,
      suggestion: "Block",
      labelResults: [
        { Scene: "Porn", Label: "Porn", SubLabel: "PornHigh", Score: 98.6, Suggestion: "Block" },
      ],
    }),
    { key, nowMs },
  ),
  "record-status": signBody(
    buildRecordStatusEvent({
      appid: 123456789,
      appname: "live",
      domain: "push.example.com",
      stream_id: "s",
      event_time: 1700207929,
      record_event: "record_ended",
      session_id: "2918085116267032069",
      seq: "1",
      file_format: "hls",
    }),
    { key, nowMs },
  ),
  "record-exception": signBody(
    buildRecordExceptionEvent({
      appid: 1234567,
      domain: "push.example.com",
      path: "live",
      stream_id: "s",
      session_id: "1855245773800540059",
      file_format: "ts",
      timestamp: 1739934527,
      exception_level: "error",
      exception: { type: -104, occurs: 1, desc: "disk full" },
    }),
    { key, nowMs },
  ),
};

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}

describe("builders", () => {
  for (const [name, body] of Object.entries(built)) {
    test(`${name}: every field of the published sample is built, with the same JSON type`, () => {
      const published = sample(name);
      const wire = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
      for (const [field, value] of Object.entries(published)) {
        // `socre` is Tencent's typo; the builder also sends it, `score` is the documented name.
        const builtValue = wire[field];
        assert.notEqual(builtValue, undefined, `${name}.${field} is built`);
        const publishedType = field === "socre" ? "array" : jsonType(value);
        assert.equal(jsonType(builtValue), publishedType, `${name}.${field} has the sample's type`);
      }
    });

    test(`${name}: build → JSON → parse round-trips`, () => {
      const wire = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
      const parsed = parseEvent(wire) as unknown as Record<string, unknown>;
      assert.deepEqual(parsed, { ...wire, ...(name === "porn-current" ? { score: [99] } : {}) });
    });
  }

  test("push: channel_id = stream_id, errcode 0, errmsg ok, size from the facts", () => {
    const body = built["push-2023"]!;
    assert.equal(body.channel_id, "test_stream");
    assert.equal(body.errcode, 0);
    assert.equal(body.errmsg, "ok");
    assert.equal(body.width, 1280);
    assert.equal(body.height, 720);
  });

  test("interruption: push_duration is whole milliseconds as text; errmsg from the table", () => {
    const body = built["interruption-2023"]!;
    assert.equal(body.push_duration, "128581");
    assert.equal(body.errmsg, "The push client actively stopped the push");
  });

  test("record: seconds and microseconds split, duration rounded, callback_ext is JSON text", () => {
    const body = built["record-2022"]!;
    assert.equal(body.start_time, 1642089445);
    assert.equal(body.start_time_usec, 316_000);
    assert.equal(body.end_time_usec, 618_000);
    assert.equal(body.duration, 154);
    assert.equal(body.record_file_id, body.file_id);
    assert.deepEqual(JSON.parse(body.callback_ext as string), {
      session_id: "task-1",
      video_codec: "h264",
      resolution: "640x480",
    });
  });

  test("snapshot: pic_full_url joins the base URL and the path once", () => {
    assert.equal(
      built["snapshot-current"]!.pic_full_url,
      "http://127.0.0.1:8080/files/snapshots/2021-06-02/your_streamid-screenshot-10-12-05-1280x720.jpg",
    );
  });

  test("signBody: t = now + 600 s as a number, sign = md5(key + t)", () => {
    const body = built["push-2023"]!;
    assert.equal(body.t, 1703731478 + 600);
    assert.equal(body.sign, "4dc3bb81ef31c26baf09d7e2f50a894c");
  });

  test("a CreateRecordTask recording: 332 has task_id and start_model 5, 100 has no stream_param", () => {
    const facts = {
      appid: 1,
      appname: "live",
      domain: "push.example.com",
      stream_id: "s",
      event_time: 1700207929,
      record_event: "record_start_succeeded",
      session_id: "rec_1-flv",
      seq: "1",
      file_format: "flv",
    } as const;
    const status = buildRecordStatusEvent({ ...facts, task_id: "rec_1" });
    assert.equal(status.task_id, "rec_1");
    assert.equal(JSON.parse(String(status.record_detail)).start_model, 5);
    const byRule = buildRecordStatusEvent(facts);
    assert.equal("task_id" in byRule, false, "a rule's recording has no task_id");
    assert.equal(JSON.parse(String(byRule.record_detail)).start_model, 1);
    const file = buildRecordFileEvent({
      appid: 1,
      app: "push.example.com",
      appname: "live",
      stream_id: "s",
      file_id: "f",
      file_format: "flv",
      task_id: "rec_1",
      startedAtMs: 1_700_000_000_000,
      endedAtMs: 1_700_000_004_000,
      durationSeconds: 4,
      file_size: 10,
      video_url: "http://x/f.flv",
      media_start_time: 0,
    });
    assert.equal("stream_param" in file, false);
    assert.equal(file.task_id, "rec_1");
  });

  test("332's record_detail numbers each format as Tencent does: 1 FLV, 2 HLS, 3 MP4, 4 AAC, 5 MP3", () => {
    const codes = (["flv", "hls", "mp4", "aac", "mp3"] as const).map(
      (file_format) =>
        JSON.parse(
          String(
            buildRecordStatusEvent({
              appid: 1,
              appname: "live",
              domain: "push.example.com",
              stream_id: "s",
              event_time: 1700207929,
              record_event: "record_ended",
              session_id: `1-${file_format}`,
              seq: "2",
              file_format,
            }).record_detail,
          ),
        ).file_format,
    );
    assert.deepEqual(codes, [1, 2, 3, 4, 5]);
  });
});

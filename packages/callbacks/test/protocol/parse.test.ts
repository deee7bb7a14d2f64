import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CallbackVerificationError, parseEvent, parseJsonField } from "../../src/index.js";
import { sample, samples } from "../fixtures.js";

const expectedType: Record<string, number | "unknown"> = {
  "push-2023": 1,
  "interruption-2023": 0,
  "push-zh": 1,
  "push-en-2021": 1,
  "interruption-legacy": 0,
  "record-legacy": 100,
  "snapshot-legacy": 200,
  "record-2022": 100,
  "record-real-2020": 100,
  "push-real-2020": 1,
  "snapshot-current": 200,
  "porn-gen1": 317,
  "porn-current": 317,
  "record-status": 332,
  "record-exception": 341,
  "audio-moderation": 315,
  "push-exception": 321,
  relay: 314,
};

describe("parseEvent on every published sample", () => {
  test("the fixture list and the expectations cover the same samples", () => {
    assert.deepEqual(Object.keys(samples).sort(), Object.keys(expectedType).sort());
  });

  for (const [name, type] of Object.entries(expectedType)) {
    test(`${name} parses into the event_type ${type} variant and keeps every field`, () => {
      const body = sample(name);
      const event = parseEvent(body);
      assert.equal(event.event_type, type);
      for (const key of Object.keys(body)) {
        if (key === "socre") continue;
        assert.ok(key in event, `field ${key} kept`);
      }
    });
  }

  test("push fields have the types of Tencent's samples (267/38081)", () => {
    const event = parseEvent(sample("push-2023"));
    assert.equal(event.event_type, 1);
    if (event.event_type !== 1) return;
    assert.equal(event.sequence, "2210464508206756938");
    assert.equal(event.appid, 12345678);
    assert.equal(event.set_id, 2);
    assert.equal(event.idc_id, 34);
    assert.equal(event.width, 0);
    assert.equal(event.t, 1703732078);
  });

  test("interruption push_duration stays a string of milliseconds", () => {
    const event = parseEvent(sample("interruption-2023"));
    assert.ok(event.event_type === 0);
    assert.equal(event.push_duration, "128581");
    assert.equal(event.errcode, 1);
  });

  test("317 `socre` (Tencent's typo) is read as `score`, always an array", () => {
    const event = parseEvent(sample("porn-current"));
    assert.ok(event.event_type === 317);
    assert.deepEqual(event.score, [99]);
    assert.deepEqual(event.type, [1]);
    assert.equal(event.suggestion, "Block");
  });

  test("JSON inside strings decodes with parseJsonField", () => {
    const event = parseEvent(sample("record-status"));
    assert.ok(event.event_type === 332);
    assert.deepEqual(parseJsonField(event.record_detail), {
      file_format: 2,
      record_bps: 0,
      start_model: 1,
      record_content: 1,
      source_type: 2,
      codec_temp_id: 0,
    });
    assert.equal(parseJsonField("{not json"), undefined);
  });
});

describe("type drift of real bodies", () => {
  test("t, file_size and push_duration arrive as strings or numbers", () => {
    const record = sample("record-real-2020");
    record.t = "1598454893";
    record.file_size = "6847302";
    const parsed = parseEvent(record);
    assert.ok(parsed.event_type === 100);
    assert.equal(parsed.t, 1598454893);
    assert.equal(parsed.file_size, 6847302);

    const interruption = sample("interruption-2023");
    interruption.push_duration = 128581;
    const parsedInterruption = parseEvent(interruption);
    assert.ok(parsedInterruption.event_type === 0);
    assert.equal(parsedInterruption.push_duration, "128581");
  });

  test("event_type as a string is accepted", () => {
    const body = sample("push-2023");
    body.event_type = "1";
    assert.equal(parseEvent(body).event_type, 1);
  });

  test("optional fields may be missing; null optional fields are dropped", () => {
    const body = sample("push-2023");
    delete body.width;
    delete body.idc_id;
    body.set_id = null;
    const event = parseEvent(body);
    assert.ok(event.event_type === 1);
    assert.equal(event.width, undefined);
    assert.equal("set_id" in event, false);
  });

  test("unknown fields are kept", () => {
    const body = { ...sample("push-2023"), brand_new_field: { a: 1 } };
    assert.deepEqual((parseEvent(body) as unknown as Record<string, unknown>).brand_new_field, {
      a: 1,
    });
  });
});

describe("unknown and invalid bodies", () => {
  test("an unknown event_type passes through with its raw body", () => {
    const body = { event_type: 999, stream_id: "s", t: 1, sign: "x", extra: [1, 2] };
    const event = parseEvent(body);
    assert.equal(event.event_type, "unknown");
    if (event.event_type !== "unknown") return;
    assert.equal(event.wire_event_type, 999);
    assert.deepEqual(event.raw, body);
  });

  test("strict mode rejects an unknown event_type", () => {
    assert.throws(
      () => parseEvent({ event_type: 347 }, { strict: true }),
      (err: unknown) =>
        err instanceof CallbackVerificationError &&
        err.code === "ONAIR_ERR_CALLBACK_UNKNOWN_EVENT_TYPE",
    );
  });

  const invalid: [string, unknown][] = [
    ["an array", [1, 2]],
    ["null", null],
    ["a string", "push"],
    ["no event_type", { stream_id: "x" }],
    ["a non-integer event_type", { event_type: "push" }],
    ["a required field missing", { ...sample("push-2023"), sequence: undefined }],
    ["a field of the wrong type", { ...sample("push-2023"), event_time: { when: 1 } }],
    ["an abnormal_event that is not an array", { ...sample("push-exception"), abnormal_event: 1 }],
    ["a signed type without t", { ...sample("record-2022"), t: undefined }],
  ];
  for (const [what, body] of invalid) {
    test(`${what} is ONAIR_ERR_CALLBACK_INVALID_PAYLOAD`, () => {
      const json = JSON.parse(JSON.stringify(body)) as unknown;
      assert.throws(
        () => parseEvent(json),
        (err: unknown) =>
          err instanceof CallbackVerificationError &&
          err.code === "ONAIR_ERR_CALLBACK_INVALID_PAYLOAD" &&
          err.status === 400,
      );
    });
  }
});

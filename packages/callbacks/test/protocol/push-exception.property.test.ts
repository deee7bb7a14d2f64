import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  buildPushExceptionEvent,
  PUSH_ABNORMAL_TYPES,
  type PushAbnormalTypeCode,
} from "../../src/index.js";

const typeCode = fc.integer({ min: 1, max: 11 }).map((n) => n as PushAbnormalTypeCode);

const tally = fc.record({
  type: typeCode,
  count: fc.integer({ min: 1, max: 1000 }),
  details: fc.array(
    fc.record({ desc: fc.string(), occurTimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }) }),
    { maxLength: 5 },
  ),
});

test("321: Tencent's int fields are integers and its strings strings, for any input", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(tally, { selector: (t) => t.type, minLength: 1, maxLength: 11 }),
      fc.double({ min: 0, max: 4e12, noNaN: true }),
      fc.double({ min: 1, max: 1e6, noNaN: true }),
      (abnormal, dataTimeMs, reportIntervalMs) => {
        const body = buildPushExceptionEvent({
          appid: 1250000000,
          domain: "push.example.com",
          path: "live",
          stream_id: "cam1",
          sequence: "123",
          stream_param: "txSecret=a&txTime=b",
          user_ip: "127.0.0.1",
          dataTimeMs,
          reportIntervalMs,
          abnormal,
        });
        assert.equal(body.event_type, 321);
        for (const field of ["appid", "data_time", "report_interval", "timeout"] as const) {
          assert.ok(Number.isInteger(body[field]), `${field} = ${body[field]}`);
        }
        for (const field of ["domain", "path", "stream_id", "sequence", "stream_param"] as const) {
          assert.equal(typeof body[field], "string");
        }
        const types = body.abnormal_event.map((a) => a.type);
        assert.deepEqual(
          types,
          [...types].sort((a, b) => a - b),
          "in type order",
        );
        for (const entry of body.abnormal_event) {
          assert.ok(Number.isInteger(entry.type) && entry.type >= 1 && entry.type <= 11);
          assert.ok(Number.isInteger(entry.count));
          assert.equal(entry.customer_visible, "true");
          const texts = PUSH_ABNORMAL_TYPES[entry.type as PushAbnormalTypeCode];
          assert.equal(entry.type_desc_cn, texts.cn);
          assert.equal(entry.type_desc_en, texts.en);
          for (const d of entry.detail) {
            assert.ok(Number.isInteger(d.occur_time));
            assert.equal(typeof d.desc, "string");
          }
        }
        // The body is JSON as it goes on the wire.
        assert.deepEqual(JSON.parse(JSON.stringify(body)), body);
      },
    ),
  );
});

test("321: the sample's shape (Tencent 267/53310)", () => {
  const body = buildPushExceptionEvent({
    appid: 0,
    domain: "push.example.com",
    path: "live",
    stream_id: "cam1",
    sequence: "42",
    stream_param: "",
    user_ip: "10.0.0.1",
    dataTimeMs: 1670588074971,
    reportIntervalMs: 5000,
    abnormal: [
      {
        type: 7,
        count: 2,
        details: [
          { desc: "audio frame arrive interval too long, interval=3009(msec)", occurTimeMs: 1 },
          { desc: "audio frame arrive interval too long, interval=2917(msec)", occurTimeMs: 2 },
        ],
      },
      { type: 6, count: 1, details: [{ desc: "video", occurTimeMs: 3 }] },
    ],
  });
  assert.deepEqual(
    body.abnormal_event.map((a) => [a.type, a.count, a.detail.length]),
    [
      [6, 1, 1],
      [7, 2, 2],
    ],
  );
  assert.equal(body.interface, "general_callback");
  assert.equal(body.report_interval, 5000);
  assert.equal(body.timeout, 5000);
  assert.equal(body.data_time, 1670588074971);
  assert.equal(
    body.abnormal_event[0]?.type_desc_en,
    "video frame arrive interval bigger than 1000(ms)",
  );
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatBeijingTime, formatUtcTime, parseTencentTime } from "../../src/api/tencent-time.js";

test("Beijing time is UTC+8 in Tencent's `YYYY-MM-DD hh:mm:ss`", () => {
  const at = new Date("2018-09-12T07:52:01.250Z");
  assert.equal(formatBeijingTime(at), "2018-09-12 15:52:01");
  assert.equal(formatUtcTime(at), "2018-09-12T07:52:01Z");
  // Crossing midnight: 20:30 UTC is 04:30 the next day in Beijing.
  assert.equal(formatBeijingTime(new Date("2026-12-31T20:30:00Z")), "2027-01-01 04:30:00");
});

test("both request formats parse to the same instant and remember their style", () => {
  const utc = parseTencentTime("2026-11-24T02:00:00Z");
  const beijing = parseTencentTime("2026-11-24 10:00:00");
  assert.equal(utc?.style, "utc");
  assert.equal(beijing?.style, "beijing");
  assert.equal(utc?.date.toISOString(), "2026-11-24T02:00:00.000Z");
  assert.equal(beijing?.date.toISOString(), "2026-11-24T02:00:00.000Z");
});

test("non-times and impossible dates are refused", () => {
  for (const text of [
    "",
    "2026-11-24",
    "2026-11-24T02:00:00",
    "2026-11-24T02:00:00+08:00",
    "2026-11-24T02:00:00.000Z",
    "2026/11/24 10:00:00",
    "2026-02-30 10:00:00",
    "2026-13-01 10:00:00",
    "2026-11-24 24:00:00",
    "2026-11-24 10:60:00",
  ]) {
    assert.equal(parseTencentTime(text), null, text);
  }
});

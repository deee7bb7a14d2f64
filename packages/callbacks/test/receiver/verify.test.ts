import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import {
  CallbackVerificationError,
  createCallbackRequest,
  type VerificationErrorCode,
  verify,
} from "../../src/index.js";
import { sample } from "../fixtures.js";

const key = "CallbackKey2024";
const nowMs = 1_700_000_000_000;
const now = () => nowMs;
const json = { "content-type": "application/json" };

function signed(body: Record<string, unknown>, t = nowMs / 1000 + 600, k = key): string {
  const sign = createHash("md5").update(`${k}${t}`).digest("hex");
  return JSON.stringify({ ...body, t, sign });
}

function rejects(fn: () => unknown, code: VerificationErrorCode, status: number) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CallbackVerificationError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    assert.deepEqual(err.toJSON(), { error: { code, message: err.message } });
    return true;
  });
}

describe("verify", () => {
  const push = sample("push-2023");

  test("a valid callback returns the typed event", () => {
    const event = verify(signed(push), json, { key, now });
    assert.equal(event.event_type, 1);
  });

  test("Buffer bodies, Fetch Headers and charset parameters are accepted", () => {
    const headers = new Headers({ "Content-Type": "application/json; charset=utf-8" });
    assert.equal(verify(Buffer.from(signed(push)), headers, { key, now }).event_type, 1);
  });

  test("a missing Content-Type is tolerated (the exact header Tencent sends is unconfirmed)", () => {
    assert.equal(verify(signed(push), {}, { key, now }).event_type, 1);
  });

  test("any of several keys verifies (rotation)", () => {
    const body = signed(push, nowMs / 1000 + 600, "oldKey");
    assert.equal(verify(body, json, { key: [key, "oldKey"], now }).event_type, 1);
  });

  test("t sent as a string is hashed as sent", () => {
    const t = String(nowMs / 1000 + 600);
    const sign = createHash("md5").update(`${key}${t}`).digest("hex");
    const body = JSON.stringify({ ...push, t, sign });
    const event = verify(body, json, { key, now });
    assert.ok(event.event_type === 1);
    assert.equal(event.t, nowMs / 1000 + 600);
  });

  test("form-encoded → 415 WRONG_CONTENT_TYPE", () => {
    rejects(
      () =>
        verify(
          "event_type=1&sign=x",
          { "content-type": "application/x-www-form-urlencoded" },
          { key, now },
        ),
      "ONAIR_ERR_CALLBACK_WRONG_CONTENT_TYPE",
      415,
    );
  });

  test("over the limit → 413 BODY_TOO_LARGE", () => {
    const big = signed({ ...push, padding: "x".repeat(1024 * 1024) });
    rejects(() => verify(big, json, { key, now }), "ONAIR_ERR_CALLBACK_BODY_TOO_LARGE", 413);
    rejects(
      () => verify(signed(push), json, { key, now, maxBodyBytes: 10 }),
      "ONAIR_ERR_CALLBACK_BODY_TOO_LARGE",
      413,
    );
  });

  test("malformed JSON and invalid UTF-8 → 400 NOT_JSON", () => {
    rejects(
      () => verify('{"event_type":1,', json, { key, now }),
      "ONAIR_ERR_CALLBACK_NOT_JSON",
      400,
    );
    rejects(
      () => verify(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), json, { key, now }),
      "ONAIR_ERR_CALLBACK_NOT_JSON",
      400,
    );
  });

  test("JSON that is not an object → 400 INVALID_PAYLOAD", () => {
    rejects(() => verify("[1,2]", json, { key, now }), "ONAIR_ERR_CALLBACK_INVALID_PAYLOAD", 400);
  });

  test("no sign, or no t → 401 MISSING_SIGN", () => {
    const { sign: _s, ...withoutSign } = JSON.parse(signed(push)) as Record<string, unknown>;
    rejects(
      () => verify(JSON.stringify(withoutSign), json, { key, now }),
      "ONAIR_ERR_CALLBACK_MISSING_SIGN",
      401,
    );
    const { t: _t, ...withoutT } = JSON.parse(signed(push)) as Record<string, unknown>;
    rejects(
      () => verify(JSON.stringify(withoutT), json, { key, now }),
      "ONAIR_ERR_CALLBACK_MISSING_SIGN",
      401,
    );
  });

  test("tampered sign, tampered t, wrong key → 401 BAD_SIGN", () => {
    const body = JSON.parse(signed(push)) as Record<string, unknown>;
    const tampered = { ...body, sign: `0${String(body.sign).slice(1)}` };
    rejects(
      () => verify(JSON.stringify(tampered), json, { key, now }),
      "ONAIR_ERR_CALLBACK_BAD_SIGN",
      401,
    );
    const later = { ...body, t: Number(body.t) + 1 };
    rejects(
      () => verify(JSON.stringify(later), json, { key, now }),
      "ONAIR_ERR_CALLBACK_BAD_SIGN",
      401,
    );
    rejects(
      () => verify(signed(push), json, { key: "other", now }),
      "ONAIR_ERR_CALLBACK_BAD_SIGN",
      401,
    );
  });

  test("t in the past beyond 60 s → 401 EXPIRED; within the tolerance → accepted", () => {
    rejects(
      () => verify(signed(push, nowMs / 1000 - 61), json, { key, now }),
      "ONAIR_ERR_CALLBACK_EXPIRED",
      401,
    );
    assert.equal(verify(signed(push, nowMs / 1000 - 59), json, { key, now }).event_type, 1);
  });

  test("t further ahead than 600 s + 60 s → 401 T_TOO_FAR", () => {
    rejects(
      () => verify(signed(push, nowMs / 1000 + 661), json, { key, now }),
      "ONAIR_ERR_CALLBACK_T_TOO_FAR",
      401,
    );
  });

  test("allowUnsigned lets Tencent's unsigned types through, nothing else", () => {
    const body = JSON.stringify(sample("push-exception"));
    rejects(() => verify(body, json, { key, now }), "ONAIR_ERR_CALLBACK_MISSING_SIGN", 401);
    assert.equal(verify(body, json, { key, now, allowUnsigned: [321] }).event_type, 321);
    const unsignedPush = JSON.stringify(push);
    const { t: _t, sign: _s, ...bare } = JSON.parse(unsignedPush) as Record<string, unknown>;
    rejects(
      () => verify(JSON.stringify(bare), json, { key, now, allowUnsigned: [321] }),
      "ONAIR_ERR_CALLBACK_MISSING_SIGN",
      401,
    );
  });

  test("webhook-signature: verified when present, required on request", () => {
    const request = createCallbackRequest({ body: push, keys: [key], webhookId: "msg_1", nowMs });
    assert.equal(
      verify(request.body, request.headers, { key, now, requireWebhookSignature: true }).event_type,
      1,
    );
    // Re-serialising the body keeps sign valid but breaks the body signature.
    const reserialised = JSON.stringify(JSON.parse(request.body), null, 1);
    rejects(
      () => verify(reserialised, request.headers, { key, now }),
      "ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE",
      401,
    );
    rejects(
      () => verify(request.body, json, { key, now, requireWebhookSignature: true }),
      "ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE",
      401,
    );
  });

  test("strict mode: unknown event_type → 422", () => {
    const body = signed({ event_type: 347, stream_id: "s" });
    assert.equal(verify(body, json, { key, now }).event_type, "unknown");
    rejects(
      () => verify(body, json, { key, now, strict: true }),
      "ONAIR_ERR_CALLBACK_UNKNOWN_EVENT_TYPE",
      422,
    );
  });
});

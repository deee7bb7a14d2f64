import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { Webhook } from "standardwebhooks";
import {
  buildPushUrl,
  checkPushAuth,
  computeSign,
  computeWebhookSignature,
  createCallbackRequest,
  hasValidWebhookSignature,
  isValidSign,
  signPushUrl,
  standardWebhooksSecret,
} from "../../src/index.js";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

describe("MD5(key + t)", () => {
  // Computed with Node crypto (not published by Tencent); the formula is Tencent 267/38081's.
  const vectors: [string, number, string][] = [
    ["mykey", 1703732078, "4dc3bb81ef31c26baf09d7e2f50a894c"],
    ["", 1703732078, "24dbd6275672e05b8eec2338f7db9a82"],
    ["AntLive", 1598430181, "f6001bb157e63a909f841603d3250970"],
  ];
  for (const [key, t, sign] of vectors) {
    test(`computed vector key=${JSON.stringify(key)} t=${t}`, () => {
      assert.equal(md5(`${key}${t}`), sign, "the vector itself");
      assert.equal(computeSign(key, t), sign);
      assert.ok(isValidSign(key, t, sign));
      assert.ok(isValidSign(key, String(t), sign.toUpperCase()), "case-insensitive hex");
    });
  }

  test("the decimal text of t is hashed as sent", () => {
    assert.equal(computeSign("k", "01703732078"), md5("k01703732078"));
    assert.notEqual(computeSign("k", "01703732078"), computeSign("k", 1703732078));
  });

  test("a wrong key, a wrong t or a truncated sign does not verify", () => {
    const sign = md5("key1700000000");
    assert.ok(!isValidSign("key2", 1700000000, sign));
    assert.ok(!isValidSign("key", 1700000001, sign));
    assert.ok(!isValidSign("key", 1700000000, sign.slice(0, 31)));
  });
});

describe("txSecret push authentication (Tencent 267/31560)", () => {
  const key = "e12c46f2612d5106e2034781ab261ca3";
  const expiresAt = 0x5c271099;

  test("Tencent 267/31560 example: KEY + test + 5C271099 → f85a2ab363fe4deaffef9754d79da6fe", () => {
    assert.equal(md5(`${key}test5C271099`), "f85a2ab363fe4deaffef9754d79da6fe");
    assert.deepEqual(signPushUrl({ key, streamName: "test", expiresAt }), {
      txTime: "5C271099",
      txSecret: "f85a2ab363fe4deaffef9754d79da6fe",
    });
    assert.equal(
      buildPushUrl({
        domain: "push.example.com",
        appName: "live",
        streamName: "test",
        key,
        expiresAt,
      }),
      "rtmp://push.example.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099",
    );
  });

  const query = "txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099";
  const before = expiresAt - 10;

  test("valid with the main key, and with the backup key", () => {
    assert.deepEqual(
      checkPushAuth({ streamName: "test", query, mainKey: key, nowSeconds: before }),
      { ok: true, matched: "main" },
    );
    assert.deepEqual(
      checkPushAuth({
        streamName: "test",
        query,
        mainKey: "other",
        backupKey: key,
        nowSeconds: before,
      }),
      { ok: true, matched: "backup" },
    );
  });

  const refusals: [string, string, number, number][] = [
    ["wrong secret", "txSecret=00000000000000000000000000000000&txTime=5C271099", before, 503],
    ["expired txTime", query, expiresAt + 1, 501],
    ["missing txTime", "txSecret=f85a2ab363fe4deaffef9754d79da6fe", before, 500],
    ["txTime not hex", "txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=zz", before, 500],
    ["missing txSecret", "txTime=5C271099", before, 502],
    ["another stream's secret", query.replace("f85a", "f85b"), before, 503],
  ];
  for (const [what, q, now, sub] of refusals) {
    test(`${what} → refused with sub-errcode ${sub}`, () => {
      const result = checkPushAuth({ streamName: "test", query: q, mainKey: key, nowSeconds: now });
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.subErrcode, sub);
    });
  }
});

describe("Standard Webhooks headers", () => {
  const body = JSON.stringify({ event_type: 1, stream_id: "s" });

  test("v1 signature = base64 HMAC-SHA256(key, id.timestamp.body), computed independently", () => {
    const expected = createHmac("sha256", "callbackKey1")
      .update(`msg_1.1700000000.${body}`)
      .digest("base64");
    assert.equal(
      computeWebhookSignature("callbackKey1", "msg_1", 1700000000, body),
      `v1,${expected}`,
    );
  });

  test("a request verifies with the standardwebhooks package given base64(CallbackKey)", () => {
    const nowMs = Date.now();
    const request = createCallbackRequest({
      body: { event_type: 1, stream_id: "s" },
      keys: ["newKey", "oldKey"],
      webhookId: "msg_abc",
      nowMs,
    });
    for (const key of ["newKey", "oldKey"]) {
      const payload = new Webhook(standardWebhooksSecret(key)).verify(
        request.body,
        request.headers,
      );
      assert.deepEqual(payload, JSON.parse(request.body));
    }
    assert.equal(request.headers["webhook-signature"]?.split(" ").length, 2);
    const parsed = JSON.parse(request.body) as { t: number; sign: string };
    assert.equal(parsed.t, Math.floor(nowMs / 1000) + 600);
    assert.equal(parsed.sign, md5(`newKey${parsed.t}`), "body signed with the current key");
  });

  test("without a key: sign = md5('' + t), no webhook-signature, webhook-id still sent", () => {
    const request = createCallbackRequest({
      body: { event_type: 1 },
      keys: [],
      webhookId: "msg_x",
      nowMs: 0,
    });
    assert.equal((JSON.parse(request.body) as { sign: string }).sign, md5("600"));
    assert.equal(request.headers["webhook-signature"], undefined);
    assert.equal(request.headers["webhook-id"], "msg_x");
  });

  test("hasValidWebhookSignature: any key, any listed signature; tampering fails", () => {
    const header = `v1,AAAA ${computeWebhookSignature("k2", "id", 5, body)}`;
    assert.ok(
      hasValidWebhookSignature({ id: "id", timestamp: "5", header, body, keys: ["k1", "k2"] }),
    );
    assert.ok(!hasValidWebhookSignature({ id: "id", timestamp: "6", header, body, keys: ["k2"] }));
    assert.ok(
      !hasValidWebhookSignature({
        id: "id",
        timestamp: "5",
        header,
        body: `${body} `,
        keys: ["k2"],
      }),
    );
    assert.ok(
      !hasValidWebhookSignature({ id: "id", timestamp: "5", header: "v2,xyz", body, keys: ["k2"] }),
    );
  });
});

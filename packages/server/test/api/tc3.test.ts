import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  canonicalRequest,
  parseTc3Authorization,
  sha256Hex,
  stringToSign,
  TC3_MAX_SKEW_SECONDS,
  type Tc3Request,
  tc3Signature,
  utcDate,
  verifyTc3,
} from "../../src/api/tc3.js";
import { OnAirError } from "../../src/errors.js";
import { signTc3 } from "./helpers/tc3-signer.js";

// Tencent's published example credentials (Tencent 267/30852); not secrets.
const DOC_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const DOC_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

describe("TC3 signing steps reproduce Tencent's published vectors", () => {
  test("2019 GET vector: canonical request hash 91c9c192… and signature 5da7a33f…", () => {
    const canonical = canonicalRequest({
      method: "GET",
      query: "Limit=10&Offset=0",
      headers: [
        ["content-type", "application/x-www-form-urlencoded"],
        ["host", "cvm.tencentcloudapi.com"],
      ],
      payloadHash: sha256Hex(""),
    });
    assert.equal(
      sha256Hex(canonical),
      "91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7",
    );
    assert.equal(utcDate(1539084154), "2018-10-09");
    const signature = tc3Signature({
      secretKey: DOC_KEY,
      date: "2018-10-09",
      service: "cvm",
      stringToSign: stringToSign({
        timestamp: 1539084154,
        date: "2018-10-09",
        service: "cvm",
        canonicalRequest: canonical,
      }),
    });
    assert.equal(signature, "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474");
  });

  test("2019 GET vector: verifyTc3 accepts the published Authorization as it stands", () => {
    const who = verifyTc3(
      {
        method: "GET",
        query: "Limit=10&Offset=0",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          host: "cvm.tencentcloudapi.com",
          "x-tc-timestamp": "1539084154",
          authorization: `TC3-HMAC-SHA256 Credential=${DOC_ID}/2018-10-09/cvm/tc3_request, SignedHeaders=content-type;host, Signature=5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474`,
        },
        body: new Uint8Array(),
      },
      {
        lookupSecretKey: (id) => (id === DOC_ID ? DOC_KEY : undefined),
        now: new Date(1539084154 * 1000 + 30_000),
      },
    );
    assert.deepEqual(who, { secretId: DOC_ID, service: "cvm", timestamp: 1539084154 });
  });

  test("newer POST vector: payload hash 35e9c5b0… and canonical request hash 7019a55b…", () => {
    // The payload carries literal \u escapes, byte for byte as published.
    const payload =
      '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
    const payloadHash = sha256Hex(payload);
    assert.equal(payloadHash, "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
    const canonical = canonicalRequest({
      method: "POST",
      query: "",
      headers: [
        ["content-type", "application/json; charset=utf-8"],
        ["host", "cvm.tencentcloudapi.com"],
        ["x-tc-action", "describeinstances"],
      ],
      payloadHash,
    });
    assert.equal(
      sha256Hex(canonical),
      "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
    );
  });

  test("newer POST vector: a request signing x-tc-action (value lower-cased) verifies", () => {
    const payload =
      '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
    const authorization = signTc3({
      secretId: DOC_ID,
      secretKey: DOC_KEY,
      service: "cvm",
      timestamp: 1551113065,
      signed: {
        "content-type": "application/json; charset=utf-8",
        host: "cvm.tencentcloudapi.com",
        "x-tc-action": "describeinstances",
      },
      body: payload,
    });
    assert.match(
      authorization,
      /Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\/2019-02-25\/cvm\//,
    );
    const who = verifyTc3(
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          Host: "cvm.tencentcloudapi.com",
          "X-TC-Action": "DescribeInstances",
          "X-TC-Timestamp": "1551113065",
          Authorization: authorization,
        },
        body: Buffer.from(payload),
      },
      { lookupSecretKey: () => DOC_KEY, now: new Date(1551113065 * 1000) },
    );
    assert.equal(who.service, "cvm");
  });
});

describe("verifyTc3", () => {
  const secretId = "AKIDonairUnitTest";
  const secretKey = "unit-test-secret-key";
  const now = new Date("2026-11-24T10:00:00Z");
  const timestamp = Math.floor(now.getTime() / 1000);
  const body = '{"TemplateId":7}';
  const lookupSecretKey = (id: string) => (id === secretId ? secretKey : undefined);

  function request(overrides: {
    host?: string;
    signedHost?: string;
    service?: string;
    timestamp?: number;
    key?: string;
    date?: string;
    body?: string;
    sentBody?: string;
    authorization?: string | null;
    contentType?: string;
  }) {
    const ts = overrides.timestamp ?? timestamp;
    const contentType = overrides.contentType ?? "application/json";
    const authorization =
      overrides.authorization === undefined
        ? signTc3({
            secretId,
            secretKey: overrides.key ?? secretKey,
            service: overrides.service ?? "live",
            timestamp: ts,
            signed: {
              "content-type": contentType,
              host: overrides.signedHost ?? overrides.host ?? "live.tencentcloudapi.com",
            },
            body: overrides.body ?? body,
            ...(overrides.date ? { date: overrides.date } : {}),
          })
        : overrides.authorization;
    return {
      method: "POST",
      headers: {
        "content-type": contentType,
        host: overrides.host ?? "live.tencentcloudapi.com",
        "x-tc-timestamp": String(ts),
        "x-tc-action": "DescribeLiveCallbackTemplate",
        ...(authorization === null ? {} : { authorization }),
      },
      body: Buffer.from(overrides.sentBody ?? overrides.body ?? body),
    };
  }

  function rejects(req: Tc3Request, tencentCode: string, at: Date = now) {
    assert.throws(
      () => verifyTc3(req, { lookupSecretKey, now: at }),
      (err: unknown) => {
        assert.ok(err instanceof OnAirError);
        assert.equal(err.tencentCode, tencentCode, err.message);
        return true;
      },
    );
  }

  test("accepts the production shape: Host live.tencentcloudapi.com, service live", () => {
    const who = verifyTc3(request({}), { lookupSecretKey, now });
    assert.deepEqual(who, { secretId, service: "live", timestamp });
  });

  test("accepts the Node SDK's endpoint shape: host signed without the port, service '127'", () => {
    const req = request({ host: "127.0.0.1:8080", signedHost: "127.0.0.1", service: "127" });
    assert.equal(verifyTc3(req, { lookupSecretKey, now }).service, "127");
  });

  test("accepts the Go SDK's shape: host signed with the port", () => {
    const req = request({ host: "127.0.0.1:8080", signedHost: "127.0.0.1:8080" });
    assert.equal(verifyTc3(req, { lookupSecretKey, now }).service, "live");
  });

  test("takes a service with a colon (localhost:8080) from the scope, unsplit", () => {
    const req = request({
      host: "localhost:8080",
      signedHost: "localhost",
      service: "localhost:8080",
    });
    assert.equal(verifyTc3(req, { lookupSecretKey, now }).service, "localhost:8080");
    const parsed = parseTc3Authorization(req.headers.authorization ?? "");
    assert.equal(parsed.service, "localhost:8080");
    assert.equal(parsed.date, "2026-11-24");
  });

  test("accepts an IPv6 host with and without its port", () => {
    const req = request({ host: "[::1]:8080", signedHost: "[::1]" });
    assert.equal(verifyTc3(req, { lookupSecretKey, now }).secretId, secretId);
  });

  test("accepts header values signed as sent (not lower-cased) as well as lower-cased", () => {
    const sent = "application/json; charset=UTF-8";
    const asSent = request({ contentType: sent });
    assert.equal(verifyTc3(asSent, { lookupSecretKey, now }).secretId, secretId);
  });

  test("accepts a timestamp exactly at the 5-minute edge, refuses one second past it", () => {
    const edge = new Date(now.getTime() + TC3_MAX_SKEW_SECONDS * 1000);
    assert.equal(verifyTc3(request({}), { lookupSecretKey, now: edge }).timestamp, timestamp);
    rejects(request({}), "AuthFailure.SignatureExpire", new Date(edge.getTime() + 1000));
    rejects(request({}), "AuthFailure.SignatureExpire", new Date(now.getTime() - 301_000));
  });

  test("wrong key → AuthFailure.SignatureFailure", () => {
    rejects(request({ key: "another-key" }), "AuthFailure.SignatureFailure");
  });

  test("a body changed after signing → AuthFailure.SignatureFailure", () => {
    rejects(request({ sentBody: '{"TemplateId":8}' }), "AuthFailure.SignatureFailure");
  });

  test("a different Host than the one signed → AuthFailure.SignatureFailure", () => {
    rejects(
      request({ host: "evil.example", signedHost: "live.tencentcloudapi.com" }),
      "AuthFailure.SignatureFailure",
    );
  });

  test("a credential date that is not the timestamp's UTC date → AuthFailure.SignatureFailure", () => {
    // A local (UTC+8) date: the classic just-after-midnight bug.
    rejects(request({ date: "2026-11-25" }), "AuthFailure.SignatureFailure");
  });

  test("unknown SecretId → AuthFailure.SecretIdNotFound", () => {
    const req = request({});
    const authorization = (req.headers.authorization ?? "").replace(secretId, "AKIDunknown");
    rejects({ ...req, headers: { ...req.headers, authorization } }, "AuthFailure.SecretIdNotFound");
  });

  test("missing Authorization → AuthFailure.InvalidAuthorization", () => {
    rejects(request({ authorization: null }), "AuthFailure.InvalidAuthorization");
  });

  test("malformed Authorization headers → AuthFailure.InvalidAuthorization", () => {
    const good = request({}).headers.authorization ?? "";
    const signature = /Signature=([0-9a-f]+)/.exec(good)?.[1] ?? "";
    for (const authorization of [
      "Basic dXNlcjpwYXNz",
      "TC3-HMAC-SHA256",
      `TC3-HMAC-SHA256 Credential=${secretId}/2026-11-24/live/tc3_request, Signature=${signature}`,
      `TC3-HMAC-SHA256 Credential=${secretId}/2026-11-24/live, SignedHeaders=content-type;host, Signature=${signature}`,
      `TC3-HMAC-SHA256 Credential=${secretId}/26-11-24/live/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`,
      `TC3-HMAC-SHA256 Credential=${secretId}/2026-11-24/live/tc3_request, SignedHeaders=content-type;host, Signature=xyz`,
      `TC3-HMAC-SHA256 Credential=${secretId}/2026-11-24/live/tc3_request, SignedHeaders=content-type, Signature=${signature}`,
      `TC3-HMAC-SHA256 Credential=${secretId}/2026-11-24/live/tc3_request, SignedHeaders=content-type;host;x-missing, Signature=${signature}`,
    ]) {
      rejects(request({ authorization }), "AuthFailure.InvalidAuthorization");
    }
  });

  test("missing or non-numeric X-TC-Timestamp → MissingParameter / InvalidParameter", () => {
    const req = request({});
    const { "x-tc-timestamp": _dropped, ...without } = req.headers;
    rejects({ ...req, headers: without }, "MissingParameter");
    rejects({ ...req, headers: { ...req.headers, "x-tc-timestamp": "soon" } }, "InvalidParameter");
  });
});

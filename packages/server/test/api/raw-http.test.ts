import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  type ApiServer,
  endpointClient,
  SECRET_ID,
  SECRET_KEY,
  startApiServer,
} from "./helpers/api-server.js";
import { signTc3 } from "./helpers/tc3-signer.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: {
    Response: { Error?: { Code: string; Message: string }; RequestId: string } & Record<
      string,
      unknown
    >;
  };
}

/** One raw HTTP POST with node:http (no SDK), optionally TC3-signed by the independent signer. */
function post(
  api: ApiServer,
  options: {
    body: string | Buffer;
    headers?: Record<string, string>;
    sign?: boolean;
    chunked?: boolean;
  },
): Promise<Reply> {
  const host = `127.0.0.1:${api.port}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-tc-timestamp": String(timestamp),
    ...options.headers,
  };
  if (options.sign !== false) {
    headers.authorization = signTc3({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      service: "live",
      timestamp,
      signed: { "content-type": headers["content-type"] ?? "", host },
      body: options.body,
    });
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: api.port,
        method: "POST",
        path: "/",
        headers: options.chunked
          ? headers
          : { ...headers, "content-length": Buffer.byteLength(options.body) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
            });
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    // The server may answer an oversized body before reading it all; that is expected.
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ECONNRESET") reject(err);
    });
    if (options.chunked) {
      const body = Buffer.from(options.body);
      for (let at = 0; at < body.length; at += 16_384) req.write(body.subarray(at, at + 16_384));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

const action = (name: string) => ({ "x-tc-action": name, "x-tc-version": "2018-08-01" });

describe("raw HTTP: every refusal is a Tencent error with HTTP 200, and the server keeps serving", () => {
  let api: ApiServer;

  before(async () => {
    api = await startApiServer({ maxRequestBytes: 4096 });
  });
  after(async () => {
    await api.close();
  });

  async function expectError(reply: Promise<Reply>, code: string): Promise<Reply> {
    const got = await reply;
    assert.equal(got.status, 200);
    assert.equal(got.body.Response.Error?.Code, code, got.body.Response.Error?.Message);
    assert.ok((got.body.Response.Error?.Message ?? "").length > 0);
    assert.match(got.body.Response.RequestId, UUID);
    assert.match(String(got.headers["content-type"]), /^application\/json/);
    // …and a valid call succeeds right after.
    assert.deepEqual((await endpointClient(api.port).DescribeLiveCallbackRules()).Rules, []);
    return got;
  }

  test("a valid signed call answers {Response: {…, RequestId}}", async () => {
    const got = await post(api, { body: "{}", headers: action("DescribeLiveCallbackTemplates") });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.Response.Templates, []);
    assert.equal(got.body.Response.Error, undefined);
    assert.match(got.body.Response.RequestId, UUID);
  });

  test("malformed JSON → InvalidParameter", async () => {
    await expectError(
      post(api, { body: '{"TemplateId": ', headers: action("DescribeLiveCallbackTemplate") }),
      "InvalidParameter",
    );
  });

  test("a JSON array instead of an object → InvalidParameter", async () => {
    await expectError(
      post(api, { body: "[1,2]", headers: action("DescribeLiveCallbackTemplates") }),
      "InvalidParameter",
    );
  });

  test("unknown action → InvalidAction", async () => {
    await expectError(
      post(api, { body: "{}", headers: action("DescribeEverything") }),
      "InvalidAction",
    );
  });

  test("wrong version → NoSuchVersion", async () => {
    await expectError(
      post(api, {
        body: "{}",
        headers: { "x-tc-action": "DescribeLiveCallbackRules", "x-tc-version": "2017-03-12" },
      }),
      "NoSuchVersion",
    );
  });

  test("missing X-TC-Action or X-TC-Version → MissingParameter", async () => {
    await expectError(
      post(api, { body: "{}", headers: { "x-tc-version": "2018-08-01" } }),
      "MissingParameter",
    );
    await expectError(
      post(api, { body: "{}", headers: { "x-tc-action": "DescribeLiveCallbackRules" } }),
      "MissingParameter",
    );
  });

  test("wrong-typed parameter → InvalidParameter", async () => {
    const got = await expectError(
      post(api, { body: '{"TemplateId":"7"}', headers: action("DescribeLiveCallbackTemplate") }),
      "InvalidParameter",
    );
    assert.match(got.body.Response.Error?.Message ?? "", /TemplateId/);
  });

  test("unknown parameter → UnknownParameter; a null parameter counts as not given", async () => {
    await expectError(
      post(api, { body: '{"Limit":10}', headers: action("DescribeLiveCallbackRules") }),
      "UnknownParameter",
    );
    const got = await post(api, {
      body: JSON.stringify({
        TemplateName: "nulls",
        StreamBeginNotifyUrl: "http://127.0.0.1:9/cb",
        CallbackKey: null,
        Description: null,
      }),
      headers: action("CreateLiveCallbackTemplate"),
    });
    assert.equal(got.body.Response.Error, undefined, got.body.Response.Error?.Message);
    assert.equal(typeof got.body.Response.TemplateId, "number");
  });

  test("oversized body (declared length, and chunked) → RequestSizeLimitExceeded", async () => {
    const big = JSON.stringify({ TemplateName: "x".repeat(64 * 1024) });
    await expectError(
      post(api, { body: big, headers: action("CreateLiveCallbackTemplate"), sign: false }),
      "RequestSizeLimitExceeded",
    );
    await expectError(
      // Without a declared length the size shows only while reading, which starts once the
      // signature's headers passed (an unsigned body is refused before it is read).
      post(api, { body: big, headers: action("CreateLiveCallbackTemplate"), chunked: true }),
      "RequestSizeLimitExceeded",
    );
  });

  test("no Authorization, or a v1 form post → AuthFailure.InvalidAuthorization", async () => {
    await expectError(
      post(api, { body: "{", headers: action("DescribeLiveCallbackRules"), sign: false }),
      "AuthFailure.InvalidAuthorization",
    );
    await expectError(
      post(api, {
        body: "Action=DescribeLiveCallbackRules&Version=2018-08-01&SecretId=x&Signature=y",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...action("DescribeLiveCallbackRules"),
        },
        sign: false,
      }),
      "AuthFailure.InvalidAuthorization",
    );
  });

  test("a body changed after signing → AuthFailure.SignatureFailure", async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const authorization = signTc3({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      service: "live",
      timestamp,
      signed: { "content-type": "application/json", host: `127.0.0.1:${api.port}` },
      body: '{"TemplateId":1}',
    });
    await expectError(
      post(api, {
        body: '{"TemplateId":2}',
        headers: { ...action("DescribeLiveCallbackTemplate"), authorization },
        sign: false,
      }),
      "AuthFailure.SignatureFailure",
    );
  });

  test("the client's X-TC-TraceId is echoed back", async () => {
    const got = await post(api, {
      body: "{}",
      headers: { ...action("DescribeLiveCallbackRules"), "x-tc-traceid": "trace-0123" },
    });
    assert.equal(got.headers["x-tc-traceid"], "trace-0123");
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { OnAir } from "../../src/app.js";
import { JsonInputError, parseJson } from "../../src/http/parse-json.js";
import { signTc3 } from "../api/helpers/tc3-signer.js";
import { readErrorBody } from "../helpers/error-body.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

const SECRET_ID = "AKIDdeepJson0001";
const SECRET_KEY = "deepJsonSecretKey-0123456789abcdef";
const INTAKE_TOKEN = "deepJsonIntakeToken-0123456789";
const deep = (depth: number) => `{"a":${"[".repeat(depth)}${"]".repeat(depth)}}`;

test("parseJson counts nesting outside strings only", () => {
  assert.deepEqual(parseJson('{"a":[[1]]}', { maxDepth: 3, route: "t" }), { a: [[1]] });
  assert.throws(() => parseJson('{"a":[[[1]]]}', { maxDepth: 3, route: "t" }), JsonInputError);
  // Brackets and escaped quotes inside strings are text.
  const text = JSON.stringify({ s: '[[[[{{{{"\\]]]' });
  assert.deepEqual(parseJson(text, { maxDepth: 1, route: "t" }), JSON.parse(text));
  const bad = (() => {
    try {
      parseJson("{oops", { maxDepth: 8, route: "t" });
    } catch (err) {
      return err;
    }
  })();
  assert.ok(bad instanceof JsonInputError && !bad.tooDeep);
});

/**
 * Regression (issue 11, defect 11d): a JSON body nested 10,000 deep became a 500 with a logged
 * stack (RangeError in the recursive walks after JSON.parse). Now it is bad input.
 */
describe("JSON bodies nested 10,000 deep", () => {
  let node: TestOnAir;
  let onair: OnAir;
  const { logger, lines } = captureLogs("debug");
  before(async () => {
    node = await startTestOnAir({
      logger,
      flags: { secretId: SECRET_ID, secretKey: SECRET_KEY, intakeToken: INTAKE_TOKEN },
    });
    onair = node.onair;
  });
  after(() => node.stop());
  const stacks = () => lines.filter((l) => Number(l.level) >= 50 || l.err !== undefined);

  test("the management API answers InvalidParameter, with no stack logged", async () => {
    const body = deep(10_000);
    const host = `127.0.0.1:${onair.httpPort}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      host,
      "x-tc-action": "describelivedomains",
    };
    const res = await fetch(`http://${host}/`, {
      method: "POST",
      body,
      headers: {
        ...headers,
        "x-tc-action": "DescribeLiveDomains",
        "x-tc-version": "2018-08-01",
        "x-tc-timestamp": String(timestamp),
        authorization: signTc3({
          secretId: SECRET_ID,
          secretKey: SECRET_KEY,
          service: "live",
          timestamp,
          signed: headers,
          body,
        }),
      },
    });
    assert.equal(res.status, 200, "Tencent-style: errors come in a 200");
    const reply = (await res.json()) as { Response: { Error?: { Code: string; Message: string } } };
    assert.equal(reply.Response.Error?.Code, "InvalidParameter");
    assert.match(reply.Response.Error?.Message ?? "", /nests deeper than 64 levels/);
    assert.deepEqual(stacks(), []);
    assert.ok(lines.some((l) => l.msg === "JSON body refused: nested deeper than maxJsonDepth"));
  });

  test("the intake answers 400 with a clear message, with no stack logged", async () => {
    const res = await fetch(`http://127.0.0.1:${onair.httpPort}/v1/events`, {
      method: "POST",
      body: deep(10_000),
      headers: { "content-type": "application/json", authorization: `Bearer ${INTAKE_TOKEN}` },
    });
    assert.equal(res.status, 400);
    const reply = await readErrorBody(res);
    assert.match(reply.message, /nests deeper than 64 levels/);
    assert.deepEqual(stacks(), []);
  });
});

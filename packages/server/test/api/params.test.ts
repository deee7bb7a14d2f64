import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { parseParams, withoutNulls } from "../../src/api/params.js";
import { OnAirError } from "../../src/errors.js";

const schema = z
  .object({
    TemplateId: z.number().int(),
    Name: z.string().max(4, "at most 4 characters"),
    Levels: z.array(z.enum(["error", "info"])).optional(),
    Policy: z.object({ MaxRetries: z.number().int() }).strict().optional(),
  })
  .strict();

function codeOf(params: unknown): string {
  try {
    parseParams(schema, params);
    return "ok";
  } catch (err) {
    assert.ok(err instanceof OnAirError);
    return `${err.tencentCode}: ${err.message}`;
  }
}

test("valid parameters pass through", () => {
  assert.deepEqual(parseParams(schema, { TemplateId: 1, Name: "ab" }), {
    TemplateId: 1,
    Name: "ab",
  });
});

test("each kind of problem gets Tencent's code and names the parameter", () => {
  assert.equal(codeOf({ Name: "ab" }), "MissingParameter: missing parameter TemplateId");
  assert.equal(
    codeOf({ TemplateId: "7", Name: "ab" }),
    "InvalidParameter: TemplateId must be a number, got string",
  );
  assert.equal(
    codeOf({ TemplateId: 1.5, Name: "ab" }),
    "InvalidParameterValue: TemplateId must be an integer, got 1.5",
  );
  assert.equal(
    codeOf({ TemplateId: 1, Name: "abcdef" }),
    "InvalidParameterValue: Name: at most 4 characters",
  );
  assert.match(
    codeOf({ TemplateId: 1, Name: "a", Levels: ["warn"] }),
    /^InvalidParameterValue: Levels\.0: /,
  );
  assert.equal(
    codeOf({ TemplateId: 1, Name: "a", Extra: 1 }),
    "UnknownParameter: unknown parameter Extra",
  );
  assert.equal(
    codeOf({ TemplateId: 1, Name: "a", Policy: { MaxRetries: 1, Speed: 2 } }),
    "UnknownParameter: unknown parameter Policy.Speed",
  );
});

test("a missing parameter is reported before an unknown one, which comes before type and value problems", () => {
  assert.match(codeOf({ TemplateNam: 1, Name: "abcdef" }), /^MissingParameter: /);
  assert.match(codeOf({ TemplateId: "x", Name: "abcdef", Extra: 1 }), /^UnknownParameter: /);
  assert.match(codeOf({ TemplateId: "x", Name: "abcdef" }), /^InvalidParameter: /);
});

test("withoutNulls drops null members deeply, as the SDK does", () => {
  assert.deepEqual(withoutNulls({ a: null, b: { c: null, d: 1 }, e: [{ f: null }] }), {
    b: { d: 1 },
    e: [{}],
  });
});

test("__proto__, constructor and prototype are refused at any depth, naming the path", () => {
  const refused = (json: string) => {
    try {
      withoutNulls(JSON.parse(json));
      return "ok";
    } catch (err) {
      assert.ok(err instanceof OnAirError);
      return `${err.tencentCode}: ${err.message}`;
    }
  };
  assert.match(refused('{"__proto__":{"TemplateId":5}}'), /^UnknownParameter: .*__proto__/);
  assert.match(refused('{"Policy":{"constructor":{"prototype":{}}}}'), /Policy\.constructor/);
  assert.match(
    refused('{"Filters":[{"Name":"a"},{"__proto__":{"x":1}}]}'),
    /Filters\.1\.__proto__/,
  );
  assert.match(refused('{"a":{"b":{"prototype":1}}}'), /a\.b\.prototype/);
  assert.equal(refused('{"Name":"__proto__"}'), "ok", "a value may be any text");
});

test("a __proto__ member cannot smuggle a parameter past the strict schema", () => {
  // Before the fix, withoutNulls copied `__proto__` into the prototype of its result: the schema
  // then read an inherited TemplateId and never saw the unknown key.
  const body = JSON.parse('{"Name":"ab","__proto__":{"TemplateId":7}}');
  let code = "ok";
  try {
    parseParams(schema, withoutNulls(body));
  } catch (err) {
    assert.ok(err instanceof OnAirError);
    code = err.tencentCode;
  }
  assert.equal(code, "UnknownParameter");
  assert.equal(({} as Record<string, unknown>).TemplateId, undefined);
});

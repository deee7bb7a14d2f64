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

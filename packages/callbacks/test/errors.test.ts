import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CALLBACK_ERRORS,
  CallbackVerificationError,
  DuplicateInProgressError,
  OnAirBaseError,
  VERIFICATION_ERRORS,
} from "../src/index.js";

describe("OnAirBaseError", () => {
  test("code, message, cause and status, rendered as the one error body", () => {
    const cause = new Error("disk");
    const err = new OnAirBaseError("ONAIR_ERR_EXAMPLE", "it failed", { cause, status: 503 });
    assert.equal(err.code, "ONAIR_ERR_EXAMPLE");
    assert.equal(err.cause, cause);
    assert.equal(err.status, 503);
    assert.deepEqual(err.toJSON(), { error: { code: "ONAIR_ERR_EXAMPLE", message: "it failed" } });
    assert.equal(
      JSON.stringify(err),
      '{"error":{"code":"ONAIR_ERR_EXAMPLE","message":"it failed"}}',
    );
    assert.equal("cause" in new OnAirBaseError("ONAIR_ERR_EXAMPLE", "no cause"), false);
  });

  test("this package's errors are OnAirBaseErrors with registered codes and statuses", () => {
    const cause = new SyntaxError("Unexpected token");
    const verification = new CallbackVerificationError("ONAIR_ERR_CALLBACK_NOT_JSON", "x", {
      cause,
    });
    assert.ok(verification instanceof OnAirBaseError);
    assert.equal(verification.status, VERIFICATION_ERRORS.ONAIR_ERR_CALLBACK_NOT_JSON.status);
    assert.equal(verification.cause, cause);
    assert.equal(verification.message, "body is not valid JSON: x");

    const duplicate = new DuplicateInProgressError("k1");
    assert.ok(duplicate instanceof OnAirBaseError);
    assert.equal(duplicate.code in CALLBACK_ERRORS, true);
    assert.equal(duplicate.status, 500);
    assert.equal(duplicate.key, "k1");
  });
});

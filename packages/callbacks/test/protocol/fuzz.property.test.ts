import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  CallbackVerificationError,
  createCallbackRequest,
  parseEvent,
  verify,
} from "../../src/index.js";
import { sample } from "../fixtures.js";

const key = "fuzzKey";

test("parseEvent on arbitrary JSON: a typed event or a CallbackVerificationError, nothing else", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      try {
        parseEvent(value);
      } catch (err) {
        assert.ok(err instanceof CallbackVerificationError, String(err));
      }
    }),
    { numRuns: 5000 },
  );
});

test("parseEvent on sample-shaped bodies with random field values never throws anything else", () => {
  const names = [
    "push-2023",
    "interruption-2023",
    "record-2022",
    "snapshot-current",
    "porn-current",
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...names),
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.jsonValue(),
      (name, extra, replacement) => {
        const body = { ...sample(name), ...extra };
        const fields = Object.keys(body);
        body[fields[fields.length % 7] ?? "t"] = replacement;
        try {
          parseEvent(body);
        } catch (err) {
          assert.ok(err instanceof CallbackVerificationError, String(err));
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test("verify on arbitrary bytes never throws anything but CallbackVerificationError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      try {
        verify(bytes, { "content-type": "application/json" }, { key });
      } catch (err) {
        assert.ok(err instanceof CallbackVerificationError, String(err));
      }
    }),
    { numRuns: 5000 },
  );
});

test("valid signed bodies with random extra fields verify and keep those fields", () => {
  const extraKey = fc
    .string({ minLength: 1 })
    .filter((k) => !(k in sample("push-2023")) && k !== "__proto__");
  fc.assert(
    fc.property(fc.dictionary(extraKey, fc.jsonValue()), (extra) => {
      const request = createCallbackRequest({
        body: { ...sample("push-2023"), ...extra },
        keys: [key],
        webhookId: "msg_fuzz",
        nowMs: Date.now(),
      });
      const event = verify(request.body, request.headers, { key }) as unknown as Record<
        string,
        unknown
      >;
      const sent = JSON.parse(request.body) as Record<string, unknown>;
      for (const field of Object.keys(extra)) assert.deepEqual(event[field], sent[field]);
    }),
    { numRuns: 1000 },
  );
});

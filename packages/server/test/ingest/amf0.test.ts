import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type AmfValue, decodeAmf0, encodeAmf0 } from "../../src/ingest/rtmp/amf0.js";
import { RtmpProtocolError } from "../../src/ingest/rtmp/protocol-error.js";

/** AMF0 values as clients send them: no undefined inside objects (JSON-like), finite numbers. */
const amfValue: fc.Arbitrary<AmfValue> = fc.letrec<{ value: AmfValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.string(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie("value"), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).value;

describe("AMF0", () => {
  test("decodes ffmpeg's connect command", () => {
    // Hand-assembled bytes of ["connect", 1, {app: "live", type: "nonprivate"}].
    const bytes = Buffer.concat([
      Buffer.from([0x02, 0x00, 0x07]),
      Buffer.from("connect"),
      Buffer.from("003ff0000000000000", "hex"),
      Buffer.from("03", "hex"),
      Buffer.from("0003617070020004", "hex"),
      Buffer.from("live"),
      Buffer.from("00047479706502000a", "hex"),
      Buffer.from("nonprivate"),
      Buffer.from("000009", "hex"),
    ]);
    assert.deepEqual(decodeAmf0(bytes), ["connect", 1, { app: "live", type: "nonprivate" }]);
  });

  test("ECMA arrays (OBS's onMetaData) decode as objects", () => {
    const bytes = Buffer.concat([
      Buffer.from("0800000001", "hex"),
      Buffer.from("0005776964746800", "hex"),
      Buffer.from("4094000000000000", "hex"), // 1280
      Buffer.from("000009", "hex"),
    ]);
    assert.deepEqual(decodeAmf0(bytes), [{ width: 1280 }]);
  });

  test("a key named __proto__ stays a plain property", () => {
    const [value] = decodeAmf0(encodeAmf0([JSON.parse('{"__proto__": 1}') as AmfValue]));
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value as object), ["__proto__"]);
  });

  test("encode then decode is the identity", () => {
    fc.assert(
      fc.property(fc.array(amfValue, { maxLength: 4 }), (values) => {
        assert.deepEqual(decodeAmf0(encodeAmf0(values)), values);
      }),
      { numRuns: 2000 },
    );
  });

  test("truncated, unknown and runaway input is errcode 33, never another exception", () => {
    const cases: Buffer[] = [
      Buffer.from([0x02, 0x00, 0x05, 0x61]), // string shorter than declared
      Buffer.from([0x42]), // unknown marker
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff]), // strict array of 4 billion
      Buffer.concat(Array.from({ length: 40 }, () => Buffer.from([0x0a, 0, 0, 0, 1]))), // 40 deep
      Buffer.from([0x03, 0x00, 0x00, 0x05]), // empty key without object end
    ];
    for (const bytes of cases) {
      assert.throws(
        () => decodeAmf0(bytes),
        (err: unknown) => err instanceof RtmpProtocolError && err.errcode === 33,
      );
    }
  });
});

describe("AMF3 inside AMF0 (marker 0x11)", () => {
  test("a dynamic object with string references, integers and a dense array", () => {
    const bytes = Buffer.from([
      0x11, // switch to AMF3
      0x0a,
      0x0b,
      0x01, // object, inline dynamic traits, anonymous class
      0x07,
      ...Buffer.from("app"),
      0x06,
      0x09,
      ...Buffer.from("live"),
      0x03,
      ...Buffer.from("n"),
      0x04,
      0xff,
      0xff,
      0xff,
      0xff, // integer −1 (29-bit)
      0x03,
      ...Buffer.from("k"),
      0x06,
      0x00, // string reference 0: "app"
      0x03,
      ...Buffer.from("a"),
      0x09,
      0x05,
      0x01,
      0x04,
      0x07,
      0x05,
      ...Buffer.alloc(8), // [7, 0.0]
      0x01, // end of dynamic members
    ]);
    assert.deepEqual(decodeAmf0(bytes), [{ app: "live", n: -1, k: "app", a: [7, 0] }]);
  });

  test("bad references and runaway input are errcode 33", () => {
    for (const bytes of [
      Buffer.from([0x11, 0x06, 0x02]), // string reference 1 with an empty table
      Buffer.from([0x11, 0x0a, 0x02]), // traits reference with no traits
      Buffer.from([0x11, 0x09, 0xff, 0xff, 0xff, 0x7f]), // array of 2^28 entries
      Buffer.concat(Array.from({ length: 40 }, () => Buffer.from([0x09, 0x03, 0x01]))).subarray(
        0,
        100,
      ),
    ]) {
      assert.throws(
        () =>
          decodeAmf0(
            Buffer.concat([Buffer.from([0x11]), bytes.subarray(bytes[0] === 0x11 ? 1 : 0)]),
          ),
        (err: unknown) => err instanceof RtmpProtocolError && err.errcode === 33,
      );
    }
  });
});

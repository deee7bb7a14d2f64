import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { assertCallbackUrlAllowed } from "../../src/api/callback-url-policy.js";
import { addressRefusal } from "../../src/domain/address-policy.js";
import { OnAirError } from "../../src/errors.js";

/**
 * IPv6 spellings of IPv4 addresses (regression: NAT64, IPv4-compatible, IPv4-translated and
 * 6to4 forms of link-local and loopback addresses passed the callback URL policy). The forms are
 * built here from the RFCs' layouts, independently of the decoder under test.
 */
const hex = (n: number) => n.toString(16);
const hexPad = (n: number) => n.toString(16).padStart(4, "0");
type Quad = [number, number, number, number];
const words = ([a, b, c, d]: Quad) => [(a << 8) | b, (c << 8) | d] as const;
const dotted = (q: Quad) => q.join(".");

/** Every IPv6 form of `q` that delivers to it, in several spellings. */
function ipv6Forms(q: Quad, salt: number): string[] {
  const [hi, lo] = words(q);
  const v4hex = `${hex(hi)}:${hex(lo)}`;
  return [
    `::ffff:${dotted(q)}`,
    `::ffff:${v4hex}`,
    `0:0:0:0:0:ffff:${hexPad(hi)}:${hexPad(lo)}`,
    `::${dotted(q)}`, // IPv4-compatible (RFC 4291 §2.5.5.1)
    `::${v4hex}`,
    `0000:0000:0000:0000:0000:0000:${dotted(q)}`,
    `::ffff:0:${dotted(q)}`, // IPv4-translated (RFC 2765)
    `::ffff:0:${v4hex}`,
    `64:ff9b::${dotted(q)}`, // NAT64 well-known prefix (RFC 6052)
    `64:ff9b::${v4hex}`,
    `0064:FF9B:0000:0000:0000:0000:${hexPad(hi)}:${hexPad(lo)}`,
    `64:ff9b:1::${v4hex}`, // local-use NAT64 (RFC 8215)
    `2002:${hex(hi)}:${hex(lo)}::${hex(salt)}`, // 6to4 (RFC 3056)
    `2002:${hexPad(hi)}:${hexPad(lo)}:${hex(salt)}::1`,
    `2001:0:${hex(salt)}:0:0:${hex(salt)}:${hex(~hi & 0xffff)}:${hex(~lo & 0xffff)}`, // Teredo
  ];
}

const byte = fc.integer({ min: 0, max: 255 });
const linkLocal = fc.tuple(fc.constant(169), fc.constant(254), byte, byte) as fc.Arbitrary<Quad>;
const loopback = fc.tuple(fc.constant(127), byte, byte, byte) as fc.Arbitrary<Quad>;
const salt = fc.integer({ min: 1, max: 0xffff });

function urlVerdict(url: string, allowPrivate: boolean): string {
  try {
    assertCallbackUrlAllowed("StreamBeginNotifyUrl", url, { allowPrivate });
    return "ok";
  } catch (err) {
    assert.ok(err instanceof OnAirError);
    return err.tencentCode;
  }
}

test("every IPv6 form of a link-local address is refused, private addresses allowed or not", () => {
  fc.assert(
    fc.property(linkLocal, salt, (q, s) => {
      for (const form of ipv6Forms(q, s)) {
        assert.match(addressRefusal(form, true) ?? "", /link-local/, form);
        assert.equal(urlVerdict(`http://[${form}]/`, true), "InvalidParameter.UrlNotSafe", form);
      }
    }),
  );
});

test("every IPv6 form of a loopback address is refused when callbackAllowPrivate is false", () => {
  fc.assert(
    fc.property(loopback, salt, (q, s) => {
      for (const form of ipv6Forms(q, s)) {
        assert.match(addressRefusal(form, false) ?? "", /private or loopback/, form);
        assert.equal(urlVerdict(`http://[${form}]:8080/`, false), "InvalidParameter.UrlNotSafe");
        assert.equal(addressRefusal(form, true), null, form);
      }
    }),
  );
});

test("the IPv6 forms of a public IPv4 address are allowed", () => {
  const publicQuad = (fc.tuple(byte, byte, byte, byte) as fc.Arbitrary<Quad>).filter(
    (q) => addressRefusal(dotted(q), false) === null,
  );
  fc.assert(
    fc.property(publicQuad, salt, (q, s) => {
      for (const form of ipv6Forms(q, s)) assert.equal(addressRefusal(form, false), null, form);
    }),
  );
});

test("explicit spellings of the metadata service and loopback", () => {
  for (const url of [
    "http://[64:ff9b::169.254.169.254]/latest/meta-data/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[::169.254.169.254]/",
    "http://[::a9fe:a9fe]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::ffff:0:169.254.169.254]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[64:ff9b::0.0.0.0]/",
    "http://[::ffff:0:0.0.0.0]/",
  ]) {
    assert.equal(urlVerdict(url, true), "InvalidParameter.UrlNotSafe", url);
  }
  for (const url of [
    "http://[64:ff9b::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[::ffff:0:127.0.0.1]/",
    "http://[2002:7f00:1::1]/",
    "http://[64:ff9b::10.0.0.1]/",
    "http://[2002:c0a8:101::1]/",
  ]) {
    assert.equal(urlVerdict(url, true), "ok", url);
    assert.equal(urlVerdict(url, false), "InvalidParameter.UrlNotSafe", url);
  }
  // IPv6's own loopback and unspecified addresses keep their IPv6 verdicts.
  assert.equal(addressRefusal("::1", true), null);
  assert.match(addressRefusal("::1", false) ?? "", /private or loopback/);
  assert.match(addressRefusal("::", true) ?? "", /non-unicast/);
  assert.equal(addressRefusal("2001:db8::1", false), null);
  assert.equal(addressRefusal("64:ff9b::8.8.8.8", false), null);
});

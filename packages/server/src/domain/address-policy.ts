import { BlockList, isIP } from "node:net";

/**
 * Which IP addresses OnAir may send callbacks to (docs/security.md). One policy for the API,
 * which judges the literal in a URL when a template is saved, and for the dispatcher, which
 * judges the address a name resolves to at connect time. IPv6 forms that carry an IPv4 address (mapped, compatible,
 * translated, NAT64, 6to4, Teredo) are judged by that IPv4 address.
 */

/** Never a callback target, whatever the configuration says. */
const ALWAYS_REFUSED = new BlockList();
ALWAYS_REFUSED.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, incl. 169.254.169.254 metadata
ALWAYS_REFUSED.addSubnet("fe80::", 10, "ipv6"); // link-local
ALWAYS_REFUSED.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
ALWAYS_REFUSED.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
ALWAYS_REFUSED.addSubnet("0.0.0.0", 8, "ipv4"); // "this network": reaches the local host
ALWAYS_REFUSED.addAddress("::", "ipv6");
ALWAYS_REFUSED.addSubnet("224.0.0.0", 4, "ipv4"); // multicast
ALWAYS_REFUSED.addSubnet("240.0.0.0", 4, "ipv4"); // reserved and broadcast
ALWAYS_REFUSED.addSubnet("ff00::", 8, "ipv6"); // multicast

/** Private, shared and loopback: refused only when `callbackAllowPrivate` is false. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet("10.0.0.0", 8, "ipv4");
PRIVATE.addSubnet("172.16.0.0", 12, "ipv4");
PRIVATE.addSubnet("192.168.0.0", 16, "ipv4");
PRIVATE.addSubnet("100.64.0.0", 10, "ipv4");
PRIVATE.addSubnet("127.0.0.0", 8, "ipv4");
PRIVATE.addSubnet("fc00::", 7, "ipv6");
PRIVATE.addAddress("::1", "ipv6");

/** Why an IP address may not receive callbacks, or null when it may (or is not an IP). */
export function addressRefusal(address: string, allowPrivate: boolean): string | null {
  const family = isIP(address);
  if (family === 0) return null;
  if (family === 4) return ipv4Refusal(address, address, allowPrivate);
  if (ALWAYS_REFUSED.check(address, "ipv6"))
    return `${address} is a link-local, metadata or non-unicast address`;
  if (!allowPrivate && PRIVATE.check(address, "ipv6")) {
    return `${address} is a private or loopback address (callbackAllowPrivate is false)`;
  }
  // An IPv6 address that carries an IPv4 one reaches that IPv4 host (through the kernel, a NAT64
  // gateway or a 6to4/Teredo relay): it gets the IPv4 address's verdict.
  const embedded = embeddedIpv4(address);
  if (embedded !== null)
    return ipv4Refusal(
      embedded.address,
      `${address} (${embedded.form} of ${embedded.address})`,
      allowPrivate,
    );
  return null;
}

function ipv4Refusal(ipv4: string, shown: string, allowPrivate: boolean): string | null {
  if (ALWAYS_REFUSED.check(ipv4, "ipv4"))
    return `${shown} is a link-local, metadata or non-unicast address`;
  if (!allowPrivate && PRIVATE.check(ipv4, "ipv4")) {
    return `${shown} is a private or loopback address (callbackAllowPrivate is false)`;
  }
  return null;
}

/**
 * The IPv4 address inside an IPv6 one, for the forms that deliver to it: IPv4-mapped
 * `::ffff:a.b.c.d` and IPv4-compatible `::a.b.c.d` (RFC 4291 §2.5.5), IPv4-translated
 * `::ffff:0:a.b.c.d` (RFC 2765), NAT64 `64:ff9b::/96` (RFC 6052) and the local-use
 * `64:ff9b:1::/48` (RFC 8215, judged with the /96 layout), 6to4 `2002:AABB:CCDD::/16`
 * (RFC 3056) and Teredo `2001:0::/32`, whose client address is stored inverted (RFC 4380 §4).
 * `::` and `::1` are IPv6's own unspecified and loopback addresses, judged as IPv6.
 */
function embeddedIpv4(address: string): { address: string; form: string } | null {
  const words = ipv6Words(address);
  if (words === null) return null;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const w = (i: number) => words[i] as number;
  if (zero(0, 5) && w(5) === 0xffff) return { address: v4(w(6), w(7)), form: "IPv4-mapped form" };
  if (zero(0, 4) && w(4) === 0xffff && w(5) === 0)
    return { address: v4(w(6), w(7)), form: "IPv4-translated form" };
  if (zero(0, 6) && (w(6) !== 0 || w(7) > 1))
    return { address: v4(w(6), w(7)), form: "IPv4-compatible form" };
  if (w(0) === 0x64 && w(1) === 0xff9b && (zero(2, 6) || w(2) === 1))
    return { address: v4(w(6), w(7)), form: "NAT64 form" };
  if (w(0) === 0x2002) return { address: v4(w(1), w(2)), form: "6to4 form" };
  if (w(0) === 0x2001 && w(1) === 0)
    return { address: v4(~w(6) & 0xffff, ~w(7) & 0xffff), form: "Teredo form" };
  return null;
}

/** The eight 16-bit words of an IPv6 address (a zone `%…` ignored), or null when it is not one. */
function ipv6Words(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    // isIP has validated the dotted quad; it takes the place of the last two words.
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    const words = expand(`${text.slice(0, dotted.index)}0:0`);
    if (words === null) return null;
    words[6] = (a << 8) | b;
    words[7] = (c << 8) | d;
    return words;
  }
  return expand(text);
}

function expand(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) =>
    part === undefined || part === "" ? [] : part.split(":").map((h) => Number.parseInt(h, 16));
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const words = [...head, ...new Array<number>(missing).fill(0), ...rest];
  return words.some((x) => Number.isNaN(x)) ? null : words;
}

/** Whether an address is the loopback interface (127.0.0.0/8, ::1, or either IPv4-mapped). */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.toLowerCase().replace(/^::ffff:/, "");
  return plain === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

/** Raised when a callback URL resolves to an address OnAir must not call. */
export class SsrfBlockedError extends Error {
  override readonly name = "SsrfBlockedError";
  readonly code = "ONAIR_ERR_SSRF_BLOCKED";
}

/** Link-local and cloud metadata: never a callback target, whatever the configuration says. */
const ALWAYS = new BlockList();
ALWAYS.addSubnet("169.254.0.0", 16, "ipv4");
ALWAYS.addSubnet("fe80::", 10, "ipv6");
ALWAYS.addAddress("fd00:ec2::254", "ipv6");
ALWAYS.addAddress("100.100.100.200", "ipv4");
ALWAYS.addSubnet("0.0.0.0", 8, "ipv4");

/** Private and loopback: refused only when `callbackAllowPrivate` is false. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv4");
}
PRIVATE.addSubnet("fc00::", 7, "ipv6");
PRIVATE.addAddress("::1", "ipv6");

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
function normalise(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: "ipv4" };
  return { address, family: isIP(address) === 6 ? "ipv6" : "ipv4" };
}

/** Why an address is refused, or null when it may be called. */
export function refusalReason(address: string, allowPrivate: boolean): string | null {
  const { address: a, family } = normalise(address);
  if (ALWAYS.check(a, family)) return `${address} is a link-local or metadata address`;
  if (!allowPrivate && PRIVATE.check(a, family))
    return `${address} is a private or loopback address`;
  return null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
type LookupFunction = (hostname: string, options: object, callback: LookupCallback) => void;

/**
 * A `lookup` for the HTTP client's connector: it resolves the name, then refuses the connection
 * if any resolved address is forbidden. Checking at connect time, on the address actually used,
 * is what stops DNS rebinding.
 */
export function guardedLookup(
  allowPrivate: boolean,
  resolve: LookupFunction = dnsLookup as unknown as LookupFunction,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      for (const a of addresses) {
        const reason = refusalReason(a, allowPrivate);
        if (reason)
          return callback(
            new SsrfBlockedError(`${hostname} resolves to ${reason}`),
            address,
            family,
          );
      }
      callback(null, address, family);
    });
  };
}

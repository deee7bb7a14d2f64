import { BlockList, isIP } from "node:net";

/**
 * Which IP addresses OnAir may send callbacks to (SPEC §5). One policy for the API, which judges
 * the literal in a URL when a template is saved, and for the dispatcher, which judges the address
 * a name resolves to at connect time. `BlockList` also matches IPv4-mapped IPv6 (`::ffff:…`).
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
  const type = family === 4 ? "ipv4" : "ipv6";
  if (ALWAYS_REFUSED.check(address, type))
    return `${address} is a link-local, metadata or non-unicast address`;
  if (!allowPrivate && PRIVATE.check(address, type)) {
    return `${address} is a private or loopback address (callbackAllowPrivate is false)`;
  }
  return null;
}

import { BlockList, isIP } from "node:net";
import { OnAirError } from "../errors.js";

/**
 * Which callback URLs a template may hold (SPEC §5): http(s) only; link-local and cloud-metadata
 * targets always refused; private and loopback literals refused only when
 * `callbackAllowPrivate` is false. Only what the URL itself says is judged here: a hostname's
 * DNS answer can change, so the dispatcher checks the resolved address again at send time.
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

/** Names of cloud metadata services (they resolve to link-local addresses). */
const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata.tencentyun.com",
  "instance-data.ec2.internal",
]);

/** Longest callback URL accepted. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/**
 * Throws an `OnAirError` when `value` may not be a callback URL: ONAIR_ERR_INVALID_PARAMETER_VALUE
 * for a non-URL or a scheme other than http/https, ONAIR_ERR_UNSAFE_URL
 * (InvalidParameter.UrlNotSafe) for an address the SSRF rules refuse.
 *
 * @example
 * assertCallbackUrlAllowed("StreamBeginNotifyUrl", "http://10.0.0.5/hook", { allowPrivate: true });
 */
export function assertCallbackUrlAllowed(
  field: string,
  value: string,
  options: { allowPrivate: boolean },
): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", `${field} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      `${field} must be an http:// or https:// URL`,
    );
  }
  const reason = hostRefusal(url.hostname, options.allowPrivate);
  if (reason !== null) {
    throw new OnAirError("ONAIR_ERR_UNSAFE_URL", `${field} is not allowed: ${reason}`);
  }
}

/** Why a URL hostname is refused, or null. The WHATWG parser has already normalised IPv4 forms. */
function hostRefusal(hostname: string, allowPrivate: boolean): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service`;
  if (host === "localhost" || host.endsWith(".localhost")) {
    return allowPrivate ? null : `${host} is a loopback name (callbackAllowPrivate is false)`;
  }
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  const family = isIP(literal);
  if (family === 0) return null;
  const type = family === 4 ? "ipv4" : "ipv6";
  if (ALWAYS_REFUSED.check(literal, type)) {
    return `${literal} is a link-local, metadata or non-unicast address`;
  }
  if (!allowPrivate && PRIVATE.check(literal, type)) {
    return `${literal} is a private or loopback address (callbackAllowPrivate is false)`;
  }
  return null;
}

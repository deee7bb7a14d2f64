import { addressRefusal } from "../domain/address-policy.js";
import { OnAirError } from "../errors.js";

/**
 * Which callback URLs a template may hold (docs/security.md): http(s) only; link-local and
 * cloud-metadata targets always refused; private and loopback literals refused only when
 * `callbackAllowPrivate` is false. Only what the URL itself says is judged here: a hostname's
 * DNS answer can change, so the dispatcher checks the resolved address again at send time.
 */

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
  return addressRefusal(host.startsWith("[") ? host.slice(1, -1) : host, allowPrivate);
}

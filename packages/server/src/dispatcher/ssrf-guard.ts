import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { addressRefusal } from "../domain/address-policy.js";
import { OnAirError } from "../errors.js";

/** Raised when a callback URL resolves to an address OnAir must not call. */
export class SsrfBlockedError extends OnAirError {
  override readonly name = "SsrfBlockedError";
  constructor(message: string) {
    super("ONAIR_ERR_SSRF_BLOCKED", message);
  }
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
        const reason = addressRefusal(a, allowPrivate);
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

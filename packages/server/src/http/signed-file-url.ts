import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed `/files/` URLs. The signature is an HMAC-SHA256 over the path the route serves (decoded,
 * relative to `/files/`, e.g. `recording/live/app/s.flv`), a newline and the expiry in Unix
 * seconds, as lowercase hex: `?expires=<s>&sig=<hex>`. Same idea as nginx's `secure_link_md5`
 * and S3/CloudFront presigned URLs: anyone holding the URL may fetch that one file until it
 * expires; nothing else is reachable from it.
 */
export type FileUrlCheck = "ok" | "missing" | "invalid" | "expired";

function mac(key: string, path: string, expiresAtSec: number): string {
  return createHmac("sha256", key).update(`${path}\n${expiresAtSec}`).digest("hex");
}

/** The query (`?expires=…&sig=…`) that lets `path` be fetched until `expiresAtSec`. */
export function signFilePath(key: string, path: string, expiresAtSec: number): string {
  return `?expires=${expiresAtSec}&sig=${mac(key, path, expiresAtSec)}`;
}

/** Checks the `expires`/`sig` of a request for `path` at `nowSec`. */
export function verifyFilePath(
  key: string,
  path: string,
  query: URLSearchParams,
  nowSec: number,
): FileUrlCheck {
  const expires = query.get("expires");
  const sig = query.get("sig");
  if (expires === null || sig === null) return "missing";
  if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return "invalid";
  const expected = Buffer.from(mac(key, path, Number(expires)), "hex");
  if (!timingSafeEqual(expected, Buffer.from(sig, "hex"))) return "invalid";
  // Checked after the MAC, so an expired answer is only given for a URL OnAir really issued.
  return Number(expires) <= nowSec ? "expired" : "ok";
}

/** How `/files/` is guarded: served to anyone (`files.public`), or only with a signed URL. */
export type FileAccess =
  | { public: true }
  | {
      public: false;
      key: string;
      /** Lifetime of the URLs `sign` issues, in seconds. */
      ttlSeconds: number;
      /** Current time in ms (the node's clock). */
      now(): number;
    };

/**
 * The query to append to a `/files/<path>` URL: "" when files are public, else a signature
 * valid for `ttlSeconds` from now. `path` is the decoded path under `/files/`.
 */
export function fileUrlQuery(access: FileAccess, path: string): string {
  if (access.public) return "";
  const expires = Math.floor(access.now() / 1000) + access.ttlSeconds;
  return signFilePath(access.key, path, expires);
}

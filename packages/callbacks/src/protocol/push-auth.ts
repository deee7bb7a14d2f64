import { createHash } from "node:crypto";
import { constantTimeEqualHex } from "./sign.js";

/**
 * Tencent's push authentication (Tencent 267/31560): `txTime` is the expiry as upper-case hex
 * Unix seconds, `txSecret` is lower-case hex `MD5(key + streamName + txTime)`.
 *
 * @example
 * signPushUrl({ key: "e12c46f2612d5106e2034781ab261ca3", streamName: "test", expiresAt: 0x5c271099 })
 * // { txTime: "5C271099", txSecret: "f85a2ab363fe4deaffef9754d79da6fe" }
 */
export function signPushUrl(options: {
  key: string;
  streamName: string;
  /** Expiry, Unix seconds. */
  expiresAt: number;
}): { txTime: string; txSecret: string } {
  const txTime = Math.floor(options.expiresAt).toString(16).toUpperCase();
  const txSecret = createHash("md5")
    .update(`${options.key}${options.streamName}${txTime}`, "utf8")
    .digest("hex");
  return { txTime, txSecret };
}

/** A full push URL: `rtmp://domain/app/stream?txSecret=…&txTime=…`. */
export function buildPushUrl(options: {
  domain: string;
  appName: string;
  streamName: string;
  key: string;
  expiresAt: number;
  scheme?: string;
}): string {
  const { txTime, txSecret } = signPushUrl(options);
  const scheme = options.scheme ?? "rtmp";
  const stream = encodeURIComponent(options.streamName);
  return `${scheme}://${options.domain}/${options.appName}/${stream}?txSecret=${txSecret}&txTime=${txTime}`;
}

/**
 * Why a push was refused, with Tencent's errcode 18 sub-codes:
 * 500 no txTime, 501 expired, 502 no txSecret, 503 wrong secret.
 */
export type PushAuthFailure =
  | { ok: false; reason: "missing-time"; subErrcode: 500 }
  | { ok: false; reason: "expired"; subErrcode: 501 }
  | { ok: false; reason: "missing-secret"; subErrcode: 502 }
  | { ok: false; reason: "mismatch"; subErrcode: 503 };

/** The result of `checkPushAuth`: which key matched, or why none did. */
export type PushAuthResult = { ok: true; matched: "main" | "backup" } | PushAuthFailure;

const HEX_TIME = /^[0-9A-Fa-f]{1,16}$/;

/**
 * Checks the `txSecret`/`txTime` of a push against the domain's main and backup keys.
 * `nowSeconds` is injected so tests control the clock.
 */
export function checkPushAuth(options: {
  streamName: string;
  query: URLSearchParams | string;
  mainKey: string;
  backupKey?: string | undefined;
  nowSeconds: number;
}): PushAuthResult {
  const query =
    typeof options.query === "string" ? new URLSearchParams(options.query) : options.query;
  const txTime = query.get("txTime");
  const txSecret = query.get("txSecret");
  if (!txTime || !HEX_TIME.test(txTime))
    return { ok: false, reason: "missing-time", subErrcode: 500 };
  if (!txSecret) return { ok: false, reason: "missing-secret", subErrcode: 502 };
  if (Number.parseInt(txTime, 16) < options.nowSeconds) {
    return { ok: false, reason: "expired", subErrcode: 501 };
  }
  const received = txSecret.toLowerCase();
  const candidates: ["main" | "backup", string][] = [["main", options.mainKey]];
  if (options.backupKey) candidates.push(["backup", options.backupKey]);
  for (const [name, key] of candidates) {
    // Sign with the time text as received: Tencent hashes the query value, whatever its case.
    const expected = createHash("md5").update(`${key}${options.streamName}${txTime}`).digest("hex");
    if (constantTimeEqualHex(expected, received)) return { ok: true, matched: name };
  }
  return { ok: false, reason: "mismatch", subErrcode: 503 };
}

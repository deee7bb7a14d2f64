import { createHash, timingSafeEqual } from "node:crypto";

/**
 * How long a callback stays valid after it is sent, in seconds: Tencent's documented default
 * ("默认过期时间是10分钟") and what OnAir uses for `t`.
 */
export const CALLBACK_VALIDITY_SECONDS = 600;

/**
 * The Tencent callback signature: lower-case hex `MD5(key + t)`, where `t` is the decimal text of
 * the expiry as it appears on the wire. It does not cover the body; OnAir adds the Standard
 * Webhooks signature for that.
 *
 * @example
 * computeSign("mykey", 1703732078) // "4dc3bb81ef31c26baf09d7e2f50a894c"
 */
export function computeSign(key: string, t: number | string): string {
  return createHash("md5").update(`${key}${t}`, "utf8").digest("hex");
}

/** Compares a received `sign` with the expected one for `key`, in constant time. */
export function isValidSign(key: string, t: number | string, sign: string): boolean {
  return constantTimeEqualHex(computeSign(key, t), sign.toLowerCase());
}

/** Constant-time comparison of two strings of the same length; unequal lengths are unequal. */
export function constantTimeEqualHex(expected: string, received: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(received, "utf8");
  // Lengths are public (a sign is always 32 hex digits), so an early exit leaks nothing.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The expiry `t` for a callback sent at `nowMs`. */
export function expiryFor(nowMs: number): number {
  return Math.floor(nowMs / 1000) + CALLBACK_VALIDITY_SECONDS;
}

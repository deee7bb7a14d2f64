import { randomBytes } from "node:crypto";

/**
 * Time-ordered unique ids (`evt_…`, `msg_…`): 48 bits of milliseconds then 80 random bits, in
 * Crockford base32, so ids sort by creation time in both stores and in logs.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export type IdGenerator = (prefix: string) => string;

export function newId(prefix: string, nowMs: number = Date.now()): string {
  let time = "";
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(16);
  let rest = "";
  for (let i = 0; i < 16; i++) rest += ALPHABET[random[i]! % 32];
  return `${prefix}_${time}${rest}`;
}

/** A publish's `sequence`: a decimal string like Tencent's (up to 19 digits, no leading zero). */
export function newSequence(): string {
  const value = randomBytes(8).readBigUInt64BE() % 9_000_000_000_000_000_000n;
  return (value + 1_000_000_000_000_000_000n).toString();
}

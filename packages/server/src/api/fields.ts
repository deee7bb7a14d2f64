import { z } from "zod";
import { parseTencentTime, type TencentTimeStyle } from "./tencent-time.js";

/** Parameter schemas several actions share, with the limits Tencent documents. */

const NAME_CHARSET = /^[\p{Script=Han}A-Za-z0-9_-]*$/u;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** Template names and descriptions: Chinese, letters, digits, `_` and `-` only (Tencent's rule). */
export function tencentName(maxBytes: number) {
  return z
    .string()
    .refine(
      (s) => NAME_CHARSET.test(s),
      "only Chinese characters, letters, digits, _ and - are allowed",
    )
    .refine((s) => bytes(s) <= maxBytes, `at most ${maxBytes} bytes (UTF-8)`);
}

/** A push or play domain name; compared case-insensitively, stored lower-case. */
export const domainName = z
  .string()
  .max(253, "at most 253 characters")
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    "must be a domain name such as push.example.com",
  )
  .transform((s) => s.toLowerCase());

/** AppName as it appears in the push URL path; "" in a rule means every AppName. */
export const appName = z
  .string()
  .max(128, "at most 128 characters")
  .regex(/^[A-Za-z0-9_.-]*$/, "only letters, digits, _, - and . are allowed");

/** Tencent's 0/1 Integer flags. */
export const flag = z
  .number()
  .int()
  .refine((v) => v === 0 || v === 1, "must be 0 or 1")
  .transform((v) => v as 0 | 1);

/** A time in either of Tencent's formats, kept with its format so answers can mirror it. */
export const tencentTime = z.string().transform((text, ctx) => {
  const parsed = parseTencentTime(text);
  if (parsed === null) {
    ctx.addIssue({
      code: "custom",
      message: "must be YYYY-MM-DDThh:mm:ssZ (UTC) or YYYY-MM-DD hh:mm:ss (Beijing time)",
    });
    return z.NEVER;
  }
  return parsed as { date: Date; style: TencentTimeStyle };
});

import type { z } from "zod";
import { OnAirError } from "../errors.js";

/**
 * Validates an action's parameters with its zod schema and turns the first problem into Tencent's
 * error code: absent → MissingParameter, wrong type → InvalidParameter, bad value →
 * InvalidParameterValue, unknown name → UnknownParameter.
 */
export function parseParams<S extends z.ZodType>(
  schema: S,
  params: Record<string, unknown>,
): z.infer<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    throw new OnAirError(
      "ONAIR_ERR_UNKNOWN_PARAMETER",
      `unknown parameter: ${issue.keys.join(", ")}`,
    );
  }
  if (issue.code === "invalid_type") {
    let value: unknown = params;
    for (const key of issue.path)
      value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    if (value === undefined)
      throw new OnAirError("ONAIR_ERR_MISSING_PARAMETER", `missing parameter: ${name}`);
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER", `${name}: ${issue.message}`);
  }
  throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", `${name}: ${issue.message}`);
}

/** `YYYY-MM-DD hh:mm:ss` in Beijing time (UTC+8), as Tencent's Describe actions return times. */
export function beijingTime(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

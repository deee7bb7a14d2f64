import type { z } from "zod";
import { OnAirError, type OnAirErrorCode } from "../errors.js";

/**
 * Action parameters: each action's zod schema is strict, and the first problem found becomes
 * Tencent's error code. Absent → MissingParameter, wrong JSON type → InvalidParameter, a value
 * outside the allowed set or range → InvalidParameterValue, a name the action does not know →
 * UnknownParameter. Known Tencent parameters an action ignores are declared in its schema, so
 * SDK calls never trip UnknownParameter.
 */

type Issue = z.core.$ZodIssue;

/** Which problem is reported when there are several: the one most useful to fix first. */
const PRIORITY: readonly OnAirErrorCode[] = [
  "ONAIR_ERR_MISSING_PARAMETER",
  "ONAIR_ERR_UNKNOWN_PARAMETER",
  "ONAIR_ERR_INVALID_PARAMETER",
  "ONAIR_ERR_INVALID_PARAMETER_VALUE",
];

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** `Filters.0.Name`, the way Tencent names nested parameters. */
function paramName(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function classify(issue: Issue, params: unknown): { code: OnAirErrorCode; message: string } {
  const name = paramName(issue.path);
  if (issue.code === "unrecognized_keys") {
    const names = issue.keys.map((k) => (name ? `${name}.${k}` : k));
    return {
      code: "ONAIR_ERR_UNKNOWN_PARAMETER",
      message: `unknown parameter ${names.join(", ")}`,
    };
  }
  if (issue.code === "invalid_type") {
    const value = valueAt(params, issue.path);
    if (value === undefined) {
      return { code: "ONAIR_ERR_MISSING_PARAMETER", message: `missing parameter ${name}` };
    }
    const expected = issue.expected === "int" ? "an integer" : `a ${issue.expected}`;
    // 1.5 where an Integer belongs is a number of the right JSON type but the wrong value.
    if (issue.expected === "int" && typeof value === "number") {
      return {
        code: "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        message: `${name} must be an integer, got ${value}`,
      };
    }
    return {
      code: "ONAIR_ERR_INVALID_PARAMETER",
      message: `${name} must be ${expected}, got ${jsonType(value)}`,
    };
  }
  return { code: "ONAIR_ERR_INVALID_PARAMETER_VALUE", message: `${name}: ${issue.message}` };
}

/**
 * Validates `params` with `schema`; throws the `OnAirError` for the most useful problem.
 *
 * @example
 * const { TemplateId } = parseParams(z.object({ TemplateId: z.number().int() }).strict(), params);
 */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => classify(issue, params));
  problems.sort((a, b) => PRIORITY.indexOf(a.code) - PRIORITY.indexOf(b.code));
  const first = problems[0];
  if (first === undefined) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "invalid parameters");
  }
  throw new OnAirError(first.code, first.message);
}

/**
 * Names that reach an object's prototype when code copies or looks up parameters
 * (`out[key] = …` with `__proto__` replaces the prototype, and a strict schema then never sees
 * the key). No Tencent parameter has them, so they are refused at any depth.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Drops `null` members, deeply, as the official SDKs do before sending: a null parameter means
 * "not given" to OnAir, whoever sent it. Throws UnknownParameter for `__proto__`, `constructor`
 * or `prototype` at any depth, naming the path (`Filters.0.__proto__`), so a copy's
 * prototype is always Object.prototype and nothing inherited can pass for a parameter.
 */
export function withoutNulls(value: unknown, path = ""): unknown {
  if (Array.isArray(value)) return value.map((item, i) => withoutNulls(item, `${path}${i}.`));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new OnAirError(
          "ONAIR_ERR_UNKNOWN_PARAMETER",
          `unknown parameter ${path}${key}: this name is not allowed`,
        );
      }
      if (member !== null) out[key] = withoutNulls(member, `${path}${key}.`);
    }
    return out;
  }
  return value;
}

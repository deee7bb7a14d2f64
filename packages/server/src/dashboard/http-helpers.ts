import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import { OnAirError } from "../errors.js";
import { JsonInputError, parseJson } from "../http/parse-json.js";
import { readBody } from "../http/read-body.js";
import type { SessionStore } from "./session-store.js";

/** The session cookie; scoped to /dashboard so the API and hooks never see it. */
export const SESSION_COOKIE = "onair_session";

/** The value of one cookie of the request, if present. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** `Set-Cookie` for the session; `maxAgeSeconds` 0 deletes it. */
export function sessionCookie(
  token: string,
  options: { maxAgeSeconds: number; secure: boolean },
): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    "Path=/dashboard",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}

/** Throws 401 unless the request carries a live session cookie. */
export async function requireSession(req: IncomingMessage, sessions: SessionStore): Promise<void> {
  if (!(await sessions.check(readCookie(req, SESSION_COOKIE)))) {
    throw new OnAirError("ONAIR_ERR_AUTH_MISSING", "sign in to the dashboard first");
  }
}

/**
 * Reads a JSON object body from a same-origin request. Requiring `application/json` and a
 * matching `Origin` backs up SameSite=Strict: a cross-site form cannot send either.
 */
export async function readJsonObject(
  req: IncomingMessage,
  limit: number,
  json: { maxDepth: number; logger?: Logger | undefined } = { maxDepth: 64 },
): Promise<Record<string, unknown>> {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null") {
    let host = "";
    try {
      host = new URL(origin).host;
    } catch {
      // An unparsable Origin is treated as foreign.
    }
    if (host !== req.headers.host) {
      throw new OnAirError("ONAIR_ERR_AUTH_MALFORMED", "cross-origin requests are refused");
    }
  }
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    req.resume();
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "send the body as application/json");
  }
  const body = await readBody(req, limit);
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = parseJson(body.toString("utf8"), { ...json, route: "dashboard" });
  } catch (err) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER",
      err instanceof JsonInputError && err.tooDeep
        ? `the request body ${err.message}`
        : "the request body is not valid JSON",
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "the request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { OnAirError } from "../errors.js";
import { type AuthThrottle, admitAttempt } from "../http/auth-throttle.js";
import { sendError } from "../http/error-reply.js";
import { readBody, refuseUnread } from "../http/read-body.js";

/** A hook request the adapter cannot use: answered 400 with the message. */
export class HookInputError extends OnAirError {
  override readonly name = "HookInputError";
  constructor(message: string) {
    super("ONAIR_ERR_INVALID_PARAMETER", message);
  }
}

/**
 * Media servers can only be given a URL, so the shared secret (the hook token, config
 * `hookToken`: it sits in media-server config files, so it is not the management SecretKey)
 * comes either as `?token=` or as `Authorization: Bearer`; compared in constant time.
 */
export function hookAuthorised(req: IncomingMessage, secretKey: string): boolean {
  const query = new URL(req.url ?? "/", "http://hook").searchParams.get("token");
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
  // Hash both sides: equal lengths for timingSafeEqual, and the key's length is not revealed.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  const expected = digest(secretKey);
  return [query, bearer].some(
    (given) =>
      given !== undefined &&
      given !== null &&
      given !== "" &&
      timingSafeEqual(digest(given), expected),
  );
}

/** The fields of a hook request, as text, and the raw body (nginx's stream args live in it). */
export interface HookRequest {
  fields: ReadonlyMap<string, string>;
  /** The query string of the hook URL itself (token, domain…). */
  urlQuery: URLSearchParams;
  rawBody: string;
  /** The media server's address as OnAir sees it: the `node` of the events. */
  peerAddress: string;
}

/**
 * Reads a hook body: JSON objects (SRS, MediaMTX auth) or form-encoded (nginx-rtmp, curl -d).
 * Scalars become text (old SRS sends `client_id` as a number); nested values are ignored.
 */
export async function readHookRequest(req: IncomingMessage, limit: number): Promise<HookRequest> {
  const raw = (await readBody(req, limit)).toString("utf8");
  const fields = new Map<string, string>();
  const type = req.headers["content-type"] ?? "";
  const trimmed = raw.trim();
  if (/json/i.test(type) || trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new HookInputError("the body is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new HookInputError("the body must be a JSON object");
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string") fields.set(key, value);
      else if (typeof value === "number" || typeof value === "boolean")
        fields.set(key, String(value));
    }
  } else {
    // First occurrence wins: nginx puts its own fields before the publisher's flattened args.
    for (const [key, value] of new URLSearchParams(raw)) {
      if (!fields.has(key)) fields.set(key, value);
    }
  }
  return {
    fields,
    urlQuery: new URL(req.url ?? "/", "http://hook").searchParams,
    rawBody: raw,
    peerAddress: plainAddress(req.socket.remoteAddress ?? ""),
  };
}

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** A required text field, or a HookInputError naming it. */
export function requireField(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined || value === "") throw new HookInputError(`${name} is required`);
  return value;
}

/**
 * Runs a hook handler with the shared guard: token check (401), body errors (400/413), and
 * HookInputError (400) rendered as OnAir's JSON error shape.
 */
export function guardedHook(
  auth: { token: string; throttle?: AuthThrottle | undefined; logger?: Logger | undefined },
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const attempt = admitAttempt(auth.throttle, "hook", req, res);
    if (attempt === null) return;
    if (!hookAuthorised(req, auth.token)) {
      if (auth.throttle) auth.throttle.failed(attempt, "hook token missing or wrong");
      else auth.logger?.warn({ clientIp: attempt.ip }, "hook token missing or wrong");
      refuseUnread(req, res);
      sendError(
        res,
        new OnAirError(
          "ONAIR_ERR_AUTH_MISSING",
          "hook token missing or wrong: add ?token=<hookToken> or Authorization: Bearer",
        ),
      );
      return;
    }
    try {
      await handle(req, res);
    } catch (err) {
      if (err instanceof OnAirError && err.status < 500) sendError(res, err);
      else throw err;
    }
  };
}

import { createHash, timingSafeEqual } from "node:crypto";
import { CallbackVerificationError, parseEvent } from "@onair/callbacks";
import type { Logger } from "pino";
import { isStorageFull, OnAirError } from "../errors.js";
import type { CommitResult, EventInput } from "../events/event-committer.js";
import { type AuthThrottle, admitAttempt } from "../http/auth-throttle.js";
import { sendError } from "../http/error-reply.js";
import { JsonInputError, parseJson } from "../http/parse-json.js";
import { readBody, refuseUnread } from "../http/read-body.js";
import { type RouteHandler, sendJson } from "../http/route.js";

function authorised(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  // Hashed first: equal lengths for timingSafeEqual, and the token's length is not revealed.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1].trim()), digest(token));
}

/** `Retry-After` of a 503 for a full disk: long enough for an operator's cleanup to start. */
const STORAGE_FULL_RETRY_AFTER_S = 30;

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * `POST /v1/events`: takes one raw Tencent-shaped event (as Tencent would send it; `t`/`sign` are
 * dropped, OnAir signs afresh per attempt) and commits it with its deliveries like an ingested one.
 * Authenticated with `Authorization: Bearer <intakeToken>` (its own secret, not the management
 * SecretKey); failures are logged and throttled per client address. The push domain and AppName
 * come from the body (`app`/`appname`, or `domain`/`path`) or the `domain`/`app` query parameters.
 */
export function createIntakeRoute(deps: {
  /** The intake bearer token (config `intakeToken`). */
  token: string;
  /** The shared limiter of failed authentications. */
  throttle?: AuthThrottle | undefined;
  maxRequestBytes: number;
  /** Deepest JSON nesting accepted (config `maxJsonDepth`). */
  maxJsonDepth?: number;
  logger?: Logger;
  commit: (input: EventInput) => Promise<CommitResult>;
  /** Called when an event could not be committed because the storage is full (logging). */
  onStorageFull?: (err: unknown) => void;
}): RouteHandler {
  return async (req, res) => {
    const attempt = admitAttempt(deps.throttle, "intake", req, res);
    if (attempt === null) return;
    if (!authorised(req.headers.authorization, deps.token)) {
      deps.throttle?.failed(
        attempt,
        req.headers.authorization ? "wrong intake bearer token" : "no intake bearer token",
      );
      refuseUnread(req, res);
      return sendError(
        res,
        new OnAirError("ONAIR_ERR_AUTH_MISSING", "Authorization: Bearer <intakeToken> is required"),
      );
    }
    let body: Buffer;
    try {
      body = await readBody(req, deps.maxRequestBytes);
    } catch (err) {
      if (err instanceof OnAirError) return sendError(res, err);
      throw err;
    }
    let event: ReturnType<typeof parseEvent>;
    try {
      const json = parseJson(body.toString("utf8"), {
        maxDepth: deps.maxJsonDepth ?? 64,
        logger: deps.logger,
        route: "intake",
      });
      event = parseEvent(json, { strict: true });
    } catch (err) {
      if (err instanceof CallbackVerificationError) return sendError(res, err);
      const detail = err instanceof JsonInputError && err.tooDeep ? err.message : undefined;
      return sendError(res, new CallbackVerificationError("ONAIR_ERR_CALLBACK_NOT_JSON", detail));
    }
    const fields = event as unknown as Record<string, unknown>;
    const query = new URL(req.url ?? "/", "http://intake").searchParams;
    const domainName = text(fields.app) ?? text(fields.domain) ?? text(query.get("domain"));
    const appName = text(fields.appname) ?? text(fields.path) ?? text(query.get("app")) ?? "live";
    const streamId = text(fields.stream_id) ?? text(fields.streamId);
    if (!domainName || !streamId) {
      return sendError(
        res,
        new OnAirError(
          "ONAIR_ERR_INVALID_PARAMETER",
          "the push domain (app, domain or ?domain=) and the stream are required",
        ),
      );
    }
    const { t: _t, sign: _sign, ...unsigned } = fields;
    let result: CommitResult;
    try {
      result = await deps.commit({
        body: unsigned as Record<string, unknown> & { event_type: number },
        domainName,
        appName,
        streamId,
        source: "intake",
      });
    } catch (err) {
      // Disk full: nothing was committed; the sender should retry, like a 503 from any queue.
      if (!isStorageFull(err)) throw err;
      deps.onStorageFull?.(err);
      res.setHeader("retry-after", String(STORAGE_FULL_RETRY_AFTER_S));
      return sendError(res, err);
    }
    sendJson(res, 202, { EventId: result.eventId, DeliveryIds: result.deliveryIds });
  };
}

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { OperatorAlerts } from "../dispatcher/operator-alerts.js";
import type { Clock } from "../domain/clock.js";
import { OnAirError, toOnAirError } from "../errors.js";
import type { ForwardTargetsSource } from "../forwarding/forward-service.js";
import { type AuthThrottle, retryAfterSeconds, socketAddress } from "../http/auth-throttle.js";
import { JsonInputError, parseJson } from "../http/parse-json.js";
import { readBody, refuseUnread } from "../http/read-body.js";
import { type RouteHandler, sendJson } from "../http/route.js";
import type { PushInfoSource } from "../monitoring/push-monitor.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { Store } from "../store/store.js";
import type { ActionContext, StreamControl } from "./action.js";
import { API_ACTIONS } from "./actions/index.js";
import { withoutNulls } from "./params.js";
import { createReplayGuard, type ReplayGuard } from "./replay-guard.js";
import { precheckTc3, TC3_MAX_SKEW_SECONDS, verifyTc3Signature } from "./tc3.js";

/** The one API version OnAir speaks: Tencent's `live` 2018-08-01. */
export const API_VERSION = "2018-08-01";

/** What `createApiRoute` needs. */
export interface ApiRouteOptions {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  /** The management SecretId/SecretKey pair requests are signed with. */
  credentials: { secretId: string; secretKey: string };
  logger?: Logger | undefined;
  /** The node's bus: RedeliverCallbacks / EnableCallbackEndpoint tell it of requeued work. */
  nodeEvents: NodeEvents;
  /** Live-stream control for DropLiveStream/ForbidLiveStream (absent: requests go through the store). */
  streams?: StreamControl | undefined;
  /** Operator alerts (docs/alerts.md), told when an endpoint is enabled again. */
  alerts?: OperatorAlerts | undefined;
  /** This node's push statistics (DescribeLiveStreamPushInfoList, DescribeStreamPushInfoList). */
  pushInfo?: PushInfoSource | undefined;
  /** This node's forwards, for DescribeLiveForwardTargets. */
  forwards?: ForwardTargetsSource | undefined;
  /** RequestId generator (default: a random UUID, as Tencent's). */
  requestId?: (() => string) | undefined;
  /** The shared limiter of failed authentications (absent: none, as in unit tests). */
  throttle?: AuthThrottle | undefined;
  /** Seen signatures (default: a new guard of `config.api.replayCacheSize` entries). */
  replayGuard?: ReplayGuard | undefined;
}

/** A trace id the client sent, echoed back only when it is a plain token. */
const TRACE_ID = /^[A-Za-z0-9._-]{1,128}$/;

function header(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
}

/**
 * The management API, `POST /`: Tencent Cloud API 3.0 with TC3-HMAC-SHA256, version 2018-08-01.
 * Every reply is HTTP 200 with `{"Response": {…, "RequestId"}}`, errors as
 * `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, because the official SDK reads
 * `Response.Error` only from 200 replies (its common/abstract_client.js).
 *
 * Order of checks: client throttle → declared Content-Length → X-TC-Action/X-TC-Version → the signature's headers
 * (Authorization, X-TC-Timestamp, SecretId, SignedHeaders) → body (size, read timeout, the
 * unauthenticated-body budget) → signature → replay → JSON → parameters. Nothing but public
 * facts is said to an unsigned caller, and a request that fails on its headers is answered
 * before a byte of its body is buffered.
 *
 * @example
 * const api = createApiRoute({ store, config, clock: systemClock, credentials, logger });
 * createHttpServer({ logger, routes: [{ method: "POST", path: "/", handler: api }] });
 */
export function createApiRoute(options: ApiRouteOptions): RouteHandler {
  const ctx: ActionContext = {
    store: options.store,
    config: options.config,
    clock: options.clock,
    nodeEvents: options.nodeEvents,
    streams: options.streams,
    alerts: options.alerts,
    pushInfo: options.pushInfo,
    forwards: options.forwards,
  };
  const { credentials } = options;
  const nextRequestId = options.requestId ?? randomUUID;
  const replayGuard =
    options.replayGuard ??
    createReplayGuard({
      maxEntries: options.config.api.replayCacheSize,
      graceMs: options.config.api.replayGraceMs,
    });
  const requireSigned = options.config.api.requireSignedAction ? ["x-tc-action"] : [];
  let lastLimitLog = 0;

  return async (req, res) => {
    const requestId = nextRequestId();
    const traceId = header(req.headers["x-tc-traceid"]);
    if (TRACE_ID.test(traceId)) res.setHeader("X-TC-TraceId", traceId);
    let actionName = "";
    let bodyRead = false;
    const attempt = {
      ip: options.throttle?.clientIp(req) ?? socketAddress(req),
      surface: "api" as const,
      credential: /Credential=([^/,\s]{1,128})\//.exec(header(req.headers.authorization))?.[1],
    };
    try {
      const wait = options.throttle?.blockedFor(attempt) ?? null;
      if (wait !== null) {
        res.setHeader("retry-after", retryAfterSeconds(wait));
        throw new OnAirError(
          "ONAIR_ERR_AUTH_THROTTLED",
          `too many failed authentications from this client; retry in ${retryAfterSeconds(wait)} s`,
        );
      }
      // A declared oversized body is refused on its header, before anything is read.
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > options.config.maxRequestBytes) {
        throw new OnAirError(
          "ONAIR_ERR_REQUEST_TOO_LARGE",
          `request body over ${options.config.maxRequestBytes} bytes`,
        );
      }
      actionName = header(req.headers["x-tc-action"]);
      const version = header(req.headers["x-tc-version"]);
      if (!actionName) {
        throw new OnAirError("ONAIR_ERR_MISSING_PARAMETER", "the X-TC-Action header is missing");
      }
      if (!version) {
        throw new OnAirError("ONAIR_ERR_MISSING_PARAMETER", "the X-TC-Version header is missing");
      }
      const action = API_ACTIONS.get(actionName);
      if (!action) {
        throw new OnAirError(
          "ONAIR_ERR_INVALID_ACTION",
          `the action ${actionName.slice(0, 64)} does not exist; see docs/api.md for the supported actions`,
        );
      }
      if (version !== API_VERSION) {
        throw new OnAirError(
          "ONAIR_ERR_NO_SUCH_VERSION",
          `X-TC-Version ${version.slice(0, 32)} is not supported; use ${API_VERSION}`,
        );
      }
      const now = options.clock.now();
      const pre = precheckTc3(req.headers, {
        lookupSecretKey: (id) => (id === credentials.secretId ? credentials.secretKey : undefined),
        now,
        requireSigned,
      });
      bodyRead = true;
      const body = await readBody(req, options.config.maxRequestBytes, { unauthenticated: true });
      const url = req.url ?? "/";
      const queryAt = url.indexOf("?");
      const who = verifyTc3Signature(pre, {
        method: req.method ?? "POST",
        query: queryAt === -1 ? "" : url.slice(queryAt + 1),
        body,
      });
      // A valid signature is good for one request (reads may repeat; see replay-guard.ts).
      replayGuard.admit({
        key: `${who.secretId}:${pre.auth.signature}`,
        clientIp: attempt.ip,
        expiresAtMs: (who.timestamp + TC3_MAX_SKEW_SECONDS) * 1000,
        nowMs: now.getTime(),
      });
      const result = await action.run(
        parseJsonObject(body, options.config.maxJsonDepth, options.logger),
        ctx,
      );
      sendJson(res, 200, { Response: { ...result, RequestId: requestId } });
    } catch (err) {
      const error = toOnAirError(err);
      if (error.code === "ONAIR_ERR_INTERNAL") {
        options.logger?.error({ err, action: actionName, requestId }, "API action failed");
      } else {
        options.logger?.debug(
          { code: error.tencentCode, action: actionName, requestId },
          "API request refused",
        );
      }
      if (error.code === "ONAIR_ERR_SERVER_BUSY" || error.code === "ONAIR_ERR_REQUEST_TIMEOUT") {
        // One line a second at most: these trigger in floods.
        const at = Date.now();
        if (at - lastLimitLog >= 1000) {
          lastLimitLog = at;
          options.logger?.warn(
            { clientIp: attempt.ip, code: error.code, reason: error.message },
            "API request body refused",
          );
        }
      }
      if (error.code.startsWith("ONAIR_ERR_AUTH_") && error.code !== "ONAIR_ERR_AUTH_THROTTLED") {
        options.throttle?.failed(attempt, `${error.tencentCode}: ${error.message}`);
      }
      if (!bodyRead) refuseUnread(req, res);
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 200, { Response: { Error: error.toTencentError(), RequestId: requestId } });
      }
    }
  };
}

/** The body as a JSON object with nulls dropped; an empty body is `{}`. */
function parseJsonObject(body: Buffer, maxDepth: number, logger: Logger | undefined): unknown {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = parseJson(body.toString("utf8"), { maxDepth, logger, route: "api" });
  } catch (err) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER",
      err instanceof JsonInputError && err.tooDeep
        ? `the request body ${err.message}`
        : `the request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "the request body must be a JSON object");
  }
  return withoutNulls(parsed);
}

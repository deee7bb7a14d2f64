import { OnAirBaseError } from "@onair/callbacks";

/**
 * The registry of the OnAir server's error codes (docs/errors.md lists each with what to do).
 * Every failure the server reports is an `OnAirError` with one of these codes (never renamed,
 * never reused): `status` is its HTTP status on the plain routes and the dashboard, `tencent` the
 * default `Response.Error.Code` on the management API (a throw site may give a more specific one).
 */
export const ERROR_CODES = {
  ONAIR_ERR_CONFIG: {
    status: 500,
    tencent: "InvalidParameter",
    description: "the configuration is invalid",
  },
  ONAIR_ERR_INVALID_PARAMETER: {
    status: 400,
    tencent: "InvalidParameter",
    description: "a malformed request or a parameter of the wrong type",
  },
  ONAIR_ERR_INVALID_PARAMETER_VALUE: {
    status: 400,
    tencent: "InvalidParameterValue",
    description: "a parameter value out of range or format",
  },
  ONAIR_ERR_MISSING_PARAMETER: {
    status: 400,
    tencent: "MissingParameter",
    description: "a required parameter is absent",
  },
  ONAIR_ERR_UNKNOWN_PARAMETER: {
    status: 400,
    tencent: "UnknownParameter",
    description: "a parameter the action does not know",
  },
  ONAIR_ERR_DOMAIN_NOT_FOUND: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "no such domain (or not of the DomainType given)",
  },
  ONAIR_ERR_STREAM_NOT_LIVE: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "the stream is not being pushed",
  },
  ONAIR_ERR_TEMPLATE_NOT_FOUND: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "no such callback, record or snapshot template",
  },
  ONAIR_ERR_TEMPLATE_NO_URL: {
    status: 400,
    tencent: "InvalidParameterValue",
    description: "the callback template has no URL for that event type",
  },
  ONAIR_ERR_TASK_NOT_FOUND: {
    status: 404,
    tencent: "InvalidParameter",
    description: "no such record or screenshot task (TaskId)",
  },
  ONAIR_ERR_PULL_TASK_NOT_FOUND: {
    status: 404,
    tencent: "InvalidParameter.TaskNotExist",
    description: "no such pull-and-relay task (TaskId or SpecifyTaskId)",
  },
  ONAIR_ERR_PULL_TASK_LIMIT: {
    status: 400,
    tencent: "InvalidParameter.TaskNumMoreThanLimit",
    description: "pullTasks.maxTasks pull-and-relay tasks exist already",
  },
  ONAIR_ERR_PULL_TASK_TIME: {
    status: 400,
    tencent: "InvalidParameter.InvalidTaskTime",
    description: "a pull task's StartTime/EndTime out of order, past, or over 30 days apart",
  },
  ONAIR_ERR_PULL_SOURCE_URL: {
    status: 400,
    tencent: "InvalidParameter.InvalidSourceUrl",
    description: "a SourceUrls entry OnAir cannot pull (scheme, address, count)",
  },
  ONAIR_ERR_PULL_TARGET_URL: {
    status: 400,
    tencent: "InvalidParameter.InvalidToUrl",
    description: "a ToUrl OnAir cannot push to, or a target given two ways",
  },
  ONAIR_ERR_PULL_CALLBACK_URL: {
    status: 400,
    tencent: "InvalidParameter.InvalidCallbackUrl",
    description: "a pull task's CallbackUrl that is not an allowed http(s) URL",
  },
  ONAIR_ERR_UNSUPPORTED_FEATURE: {
    status: 400,
    tencent: "UnsupportedOperation",
    description: "a parameter value asking for a Tencent feature OnAir does not have",
  },
  ONAIR_ERR_RULE_NOT_FOUND: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "no such callback, record, snapshot or forward rule",
  },
  ONAIR_ERR_DELIVERY_NOT_FOUND: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "no such callback delivery",
  },
  ONAIR_ERR_ENDPOINT_NOT_FOUND: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "OnAir has never delivered to this callback URL",
  },
  ONAIR_ERR_FILE_NOT_FOUND: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "no such file under /files/ or /dashboard/",
  },
  ONAIR_ERR_RANGE_NOT_SATISFIABLE: {
    status: 416,
    tencent: "InvalidParameterValue",
    description: "the Range header asks for bytes the file does not have",
  },
  ONAIR_ERR_ROUTE_NOT_FOUND: {
    status: 404,
    tencent: "ResourceNotFound",
    description: "no HTTP route for this path",
  },
  ONAIR_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    tencent: "UnsupportedOperation",
    description: "the path exists, not with this HTTP method",
  },
  ONAIR_ERR_PLAY_REFUSED: {
    status: 403,
    tencent: "UnauthorizedOperation",
    description: "a play refused: play authentication failed, or the domain may not be played",
  },
  ONAIR_ERR_HLS_NOT_AVAILABLE: {
    status: 404,
    tencent: "ResourceNotFound",
    description:
      "an HLS segment, part or init segment not in the stream's window (or its output is gone)",
  },
  ONAIR_ERR_HLS_TIMEOUT: {
    status: 503,
    tencent: "ResourceUnavailable",
    description: "a blocking HLS request whose part did not come in time",
  },
  ONAIR_ERR_HOOK_ACTION_REFUSED: {
    status: 403,
    tencent: "UnauthorizedOperation",
    description: "MediaMTX asked to authorise an action OnAir does not grant (api, metrics, pprof)",
  },
  ONAIR_ERR_DOMAIN_EXISTS: {
    status: 409,
    tencent: "FailedOperation",
    description: "the domain was already added",
  },
  ONAIR_ERR_RULE_EXISTS: {
    status: 409,
    tencent: "FailedOperation",
    description: "the domain and AppName (and StreamName) already have a rule",
  },
  ONAIR_ERR_TEMPLATE_IN_USE: {
    status: 409,
    tencent: "FailedOperation",
    description: "the template is used by a rule or has deliveries in progress",
  },
  ONAIR_ERR_INVALID_ACTION: {
    status: 400,
    tencent: "InvalidAction",
    description: "no such API action",
  },
  ONAIR_ERR_NO_SUCH_VERSION: {
    status: 400,
    tencent: "NoSuchVersion",
    description: "X-TC-Version is not 2018-08-01",
  },
  ONAIR_ERR_REQUEST_TOO_LARGE: {
    status: 413,
    tencent: "RequestSizeLimitExceeded",
    description: "the request body is over the limit",
  },
  ONAIR_ERR_AUTH_MISSING: {
    status: 401,
    tencent: "AuthFailure.InvalidAuthorization",
    description: "no credentials (Authorization, token, session or signed URL)",
  },
  ONAIR_ERR_AUTH_MALFORMED: {
    status: 401,
    tencent: "AuthFailure.InvalidAuthorization",
    description: "credentials that cannot be read, or a cross-origin request",
  },
  ONAIR_ERR_AUTH_SECRET_ID: {
    status: 401,
    tencent: "AuthFailure.SecretIdNotFound",
    description: "the SecretId is not known",
  },
  ONAIR_ERR_AUTH_SIGNATURE: {
    status: 401,
    tencent: "AuthFailure.SignatureFailure",
    description: "the signature or credentials do not match",
  },
  ONAIR_ERR_AUTH_EXPIRED: {
    status: 401,
    tencent: "AuthFailure.SignatureExpire",
    description: "the signature's time is too far off, or the signed URL expired",
  },
  ONAIR_ERR_AUTH_REPLAY: {
    status: 401,
    tencent: "AuthFailure.SignatureFailure",
    description: "a TC3 signature used a second time",
  },
  ONAIR_ERR_AUTH_THROTTLED: {
    status: 429,
    tencent: "RequestLimitExceeded",
    description: "too many failed authentications from this address",
  },
  ONAIR_ERR_REQUEST_TIMEOUT: {
    status: 408,
    tencent: "FailedOperation",
    description: "the request body stalled",
  },
  ONAIR_ERR_SERVER_BUSY: {
    status: 503,
    tencent: "RequestLimitExceeded",
    description: "the budget for unauthenticated bodies is in use",
  },
  ONAIR_ERR_UNSAFE_URL: {
    status: 400,
    tencent: "InvalidParameter.UrlNotSafe",
    description: "a callback URL on a refused address",
  },
  ONAIR_ERR_SSRF_BLOCKED: {
    status: 502,
    tencent: "FailedOperation",
    description: "a callback URL resolved to a refused address when delivering",
  },
  ONAIR_ERR_LIMIT_EXCEEDED: {
    status: 429,
    tencent: "LimitExceeded",
    description: "a count or rate limit was reached",
  },
  ONAIR_ERR_STORAGE_FULL: {
    status: 503,
    tencent: "ResourceInsufficient",
    description: "the disk is full: nothing was committed",
  },
  ONAIR_ERR_STORE_UNWRITABLE: {
    status: 503,
    tencent: "ResourceUnavailable",
    description: "the store's write probe fails",
  },
  ONAIR_ERR_DASHBOARD_NOT_BUILT: {
    status: 503,
    tencent: "ResourceUnavailable",
    description: "the dashboard's files are not built",
  },
  ONAIR_ERR_FORWARD_FAILED: {
    status: 502,
    tencent: "FailedOperation",
    description: "`onair listen --forward-to`: the app could not be reached in time",
  },
  ONAIR_ERR_INTERNAL: {
    status: 500,
    tencent: "InternalError",
    description: "an unexpected failure",
  },
} as const satisfies Record<string, { status: number; tencent: string; description: string }>;

/** One of the server's stable error codes. */
export type OnAirErrorCode = keyof typeof ERROR_CODES;

export class OnAirError extends OnAirBaseError<OnAirErrorCode> {
  override readonly name: string = "OnAirError";
  declare readonly status: number;
  /** A more specific Tencent code than the registry's default, e.g. `InvalidParameter.ConfNotFound`. */
  readonly tencentCode: string;

  constructor(
    code: OnAirErrorCode,
    message: string,
    options: { cause?: unknown; tencentCode?: string } = {},
  ) {
    super(code, message, { cause: options.cause, status: ERROR_CODES[code].status });
    this.tencentCode = options.tencentCode ?? ERROR_CODES[code].tencent;
  }

  /** `Response.Error` of a Tencent API 3.0 reply. */
  toTencentError(): { Code: string; Message: string } {
    return { Code: this.tencentCode, Message: this.message };
  }
}

/**
 * Whether `err` (or a cause) says the storage is full: SQLite `SQLITE_FULL`, the OS's
 * `ENOSPC`/`EDQUOT`, PostgreSQL `53100 disk_full`.
 */
export function isStorageFull(err: unknown): boolean {
  let e = err;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT" || code === "53100")
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Wraps anything thrown into an `OnAirError`: storage full becomes ONAIR_ERR_STORAGE_FULL (503,
 * retry later), other unknown errors ONAIR_ERR_INTERNAL.
 */
export function toOnAirError(err: unknown): OnAirError {
  if (err instanceof OnAirError) return err;
  if (isStorageFull(err))
    return new OnAirError(
      "ONAIR_ERR_STORAGE_FULL",
      "the server's storage is full; nothing was committed, retry later",
      { cause: err },
    );
  return new OnAirError("ONAIR_ERR_INTERNAL", "internal error", { cause: err });
}

/**
 * The one error registry of the OnAir server. Every failure the server reports is an `OnAirError`
 * with a stable `code` (`ONAIR_ERR_*`, documented in docs/errors.md, never reused) that renders
 * itself as a Tencent API error code, an HTTP status and a one-line CLI message.
 */
export const ERROR_CODES = {
  ONAIR_ERR_CONFIG: { tencent: "InvalidParameter", http: 500 },
  ONAIR_ERR_INVALID_PARAMETER: { tencent: "InvalidParameter", http: 400 },
  ONAIR_ERR_INVALID_PARAMETER_VALUE: { tencent: "InvalidParameterValue", http: 400 },
  ONAIR_ERR_MISSING_PARAMETER: { tencent: "MissingParameter", http: 400 },
  ONAIR_ERR_UNKNOWN_PARAMETER: { tencent: "UnknownParameter", http: 400 },
  ONAIR_ERR_NOT_FOUND: { tencent: "ResourceNotFound", http: 404 },
  ONAIR_ERR_CONFLICT: { tencent: "FailedOperation", http: 409 },
  ONAIR_ERR_INVALID_ACTION: { tencent: "InvalidAction", http: 400 },
  ONAIR_ERR_NO_SUCH_VERSION: { tencent: "NoSuchVersion", http: 400 },
  ONAIR_ERR_REQUEST_TOO_LARGE: { tencent: "RequestSizeLimitExceeded", http: 413 },
  ONAIR_ERR_AUTH_MISSING: { tencent: "AuthFailure.InvalidAuthorization", http: 401 },
  ONAIR_ERR_AUTH_MALFORMED: { tencent: "AuthFailure.InvalidAuthorization", http: 401 },
  ONAIR_ERR_AUTH_SECRET_ID: { tencent: "AuthFailure.SecretIdNotFound", http: 401 },
  ONAIR_ERR_AUTH_SIGNATURE: { tencent: "AuthFailure.SignatureFailure", http: 401 },
  ONAIR_ERR_AUTH_EXPIRED: { tencent: "AuthFailure.SignatureExpire", http: 401 },
  ONAIR_ERR_AUTH_REPLAY: { tencent: "AuthFailure.SignatureFailure", http: 401 },
  ONAIR_ERR_AUTH_THROTTLED: { tencent: "RequestLimitExceeded", http: 429 },
  ONAIR_ERR_REQUEST_TIMEOUT: { tencent: "FailedOperation", http: 408 },
  ONAIR_ERR_SERVER_BUSY: { tencent: "RequestLimitExceeded", http: 503 },
  ONAIR_ERR_UNSAFE_URL: { tencent: "InvalidParameter.UrlNotSafe", http: 400 },
  ONAIR_ERR_LIMIT_EXCEEDED: { tencent: "LimitExceeded", http: 429 },
  ONAIR_ERR_UNSUPPORTED: { tencent: "UnsupportedOperation", http: 400 },
  ONAIR_ERR_STORAGE_FULL: { tencent: "ResourceInsufficient", http: 503 },
  ONAIR_ERR_INTERNAL: { tencent: "InternalError", http: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class OnAirError extends Error {
  override readonly name: string = "OnAirError";
  readonly code: ErrorCode;
  /** A more specific Tencent code than the registry's default, e.g. `InvalidParameter.ConfNotFound`. */
  readonly tencentCode: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; tencentCode?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.tencentCode = options.tencentCode ?? ERROR_CODES[code].tencent;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** `Response.Error` of a Tencent API 3.0 reply. */
  toTencentError(): { Code: string; Message: string } {
    return { Code: this.tencentCode, Message: this.message };
  }

  /** One line for the CLI: `onair: <message> (<code>)`. */
  toCliLine(): string {
    return `onair: ${this.message} (${this.code})`;
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

/**
 * Stable codes of `CallbackVerificationError`, with the HTTP status the adapters reply with.
 * Codes are part of the public API: never renamed, never reused.
 */
export const VERIFICATION_ERRORS = {
  /** Content-Type is present and is not `application/json` (form posts, multipart…). */
  ONAIR_ERR_CALLBACK_WRONG_CONTENT_TYPE: {
    status: 415,
    message: "Content-Type must be application/json",
  },
  /** The body is larger than the configured limit (1 MiB by default). */
  ONAIR_ERR_CALLBACK_BODY_TOO_LARGE: { status: 413, message: "body is larger than the limit" },
  /** The body is not valid UTF-8 JSON. */
  ONAIR_ERR_CALLBACK_NOT_JSON: { status: 400, message: "body is not valid JSON" },
  /** Valid JSON, but not a callback: not an object, no integer event_type, or a field of the wrong type. */
  ONAIR_ERR_CALLBACK_INVALID_PAYLOAD: { status: 400, message: "body is not a valid callback" },
  /** No `sign` or no `t` in the body. */
  ONAIR_ERR_CALLBACK_MISSING_SIGN: { status: 401, message: "sign or t is missing" },
  /** `sign` matches none of the keys. */
  ONAIR_ERR_CALLBACK_BAD_SIGN: { status: 401, message: "sign does not match any key" },
  /** `t` is in the past (beyond the clock-skew tolerance). */
  ONAIR_ERR_CALLBACK_EXPIRED: { status: 401, message: "t has expired" },
  /** `t` is further in the future than a sender would ever set it: a replayable signature. */
  ONAIR_ERR_CALLBACK_T_TOO_FAR: { status: 401, message: "t is too far in the future" },
  /** `webhook-signature` is present (or required) and does not verify. */
  ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE: {
    status: 401,
    message: "webhook-signature does not verify",
  },
  /** Strict mode: an `event_type` this package has no typed variant for. */
  ONAIR_ERR_CALLBACK_UNKNOWN_EVENT_TYPE: { status: 422, message: "unknown event_type" },
} as const;

/** One of the stable verification error codes. */
export type VerificationErrorCode = keyof typeof VERIFICATION_ERRORS;

/**
 * Thrown by `verify` and `parseEvent` when a callback must not be trusted or cannot be read.
 *
 * @example
 * try { verify(body, headers, { key }) } catch (err) {
 *   if (err instanceof CallbackVerificationError) res.status(err.status).json(err.toJSON());
 * }
 */
export class CallbackVerificationError extends Error {
  override readonly name = "CallbackVerificationError";
  readonly code: VerificationErrorCode;
  /** The HTTP status a receiver should answer with (always 4xx). */
  readonly status: number;

  constructor(code: VerificationErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = VERIFICATION_ERRORS[code].message;
    super(detail ? `${base}: ${detail}` : base, options);
    this.code = code;
    this.status = VERIFICATION_ERRORS[code].status;
  }

  /** The JSON error body the adapters send. */
  toJSON(): { code: number; error: VerificationErrorCode; message: string } {
    return { code: -1, error: this.code, message: this.message };
  }
}

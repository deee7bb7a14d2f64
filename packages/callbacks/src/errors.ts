/**
 * The error scheme of every OnAir package (docs/errors.md): an error has a stable `code`
 * (`ONAIR_ERR_*`, never renamed, never reused) taken from a registry that says what it means,
 * a message for people, an optional `cause` and HTTP `status`, and one JSON rendering.
 */

/** One registry entry: what the code means (one line) and the HTTP status it answers with. */
export interface ErrorSpec {
  readonly description: string;
  readonly status?: number;
}

/** The JSON body of every OnAir error reply outside the Tencent management API. */
export type ErrorBody<Code extends string = string> = {
  error: { code: Code; message: string };
};

/** The one rendering of an error as JSON. */
export function errorBody<Code extends string>(code: Code, message: string): ErrorBody<Code> {
  return { error: { code, message } };
}

/**
 * The base of `CallbackVerificationError`, the server's `OnAirError` and the other packages'
 * errors: catch it to handle any OnAir error by its code.
 */
export class OnAirBaseError<Code extends string = string> extends Error {
  override readonly name: string = "OnAirBaseError";
  readonly code: Code;
  /** The HTTP status to answer with, when the error belongs to a request. */
  readonly status: number | undefined;

  constructor(code: Code, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }

  toJSON(): ErrorBody<Code> {
    return errorBody(this.code, this.message);
  }
}

/**
 * Stable codes of `CallbackVerificationError`, with the HTTP status the adapters reply with.
 * The description is the start of the error's message.
 */
export const VERIFICATION_ERRORS = {
  ONAIR_ERR_CALLBACK_WRONG_CONTENT_TYPE: {
    status: 415,
    description: "Content-Type must be application/json",
  },
  ONAIR_ERR_CALLBACK_BODY_TOO_LARGE: { status: 413, description: "body is larger than the limit" },
  ONAIR_ERR_CALLBACK_NOT_JSON: { status: 400, description: "body is not valid JSON" },
  ONAIR_ERR_CALLBACK_INVALID_PAYLOAD: { status: 400, description: "body is not a valid callback" },
  ONAIR_ERR_CALLBACK_MISSING_SIGN: { status: 401, description: "sign or t is missing" },
  ONAIR_ERR_CALLBACK_BAD_SIGN: { status: 401, description: "sign does not match any key" },
  ONAIR_ERR_CALLBACK_EXPIRED: { status: 401, description: "t has expired" },
  ONAIR_ERR_CALLBACK_T_TOO_FAR: { status: 401, description: "t is too far in the future" },
  ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE: {
    status: 401,
    description: "webhook-signature does not verify",
  },
  ONAIR_ERR_CALLBACK_UNKNOWN_EVENT_TYPE: { status: 422, description: "unknown event_type" },
} as const satisfies Record<string, ErrorSpec>;

/** Every code of this package: the verification codes and the adapters' own. */
export const CALLBACK_ERRORS = {
  ...VERIFICATION_ERRORS,
  ONAIR_ERR_CALLBACK_HANDLER_FAILED: { status: 500, description: "handler failed" },
  ONAIR_ERR_CALLBACK_DUPLICATE_IN_PROGRESS: {
    status: 500,
    description: "the same event is being handled by another request",
  },
} as const satisfies Record<string, ErrorSpec>;

/** One of the stable verification error codes. */
export type VerificationErrorCode = keyof typeof VERIFICATION_ERRORS;

/** One of the stable codes of @onair/callbacks. */
export type CallbackErrorCode = keyof typeof CALLBACK_ERRORS;

/**
 * Thrown by `verify` and `parseEvent` when a callback must not be trusted or cannot be read.
 *
 * @example
 * try { verify(body, headers, { key }) } catch (err) {
 *   if (err instanceof CallbackVerificationError) res.status(err.status).json(err.toJSON());
 * }
 */
export class CallbackVerificationError extends OnAirBaseError<VerificationErrorCode> {
  override readonly name = "CallbackVerificationError";
  /** The HTTP status a receiver should answer with (always 4xx). */
  declare readonly status: number;

  constructor(code: VerificationErrorCode, detail?: string, options: { cause?: unknown } = {}) {
    const { description, status } = VERIFICATION_ERRORS[code];
    super(code, detail ? `${description}: ${detail}` : description, { ...options, status });
  }
}

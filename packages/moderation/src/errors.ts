/**
 * Stable codes of `ModerationError` (docs/errors.md). Codes are public API: never renamed, never
 * reused. The description is the start of the error's message.
 */
export const MODERATION_ERRORS = {
  ONAIR_ERR_MODERATION_BAD_OPTION: { description: "invalid moderation option" },
  ONAIR_ERR_MODERATION_BAD_IMAGE: { description: "image could not be decoded" },
  ONAIR_ERR_MODERATION_WORKER_FAILED: { description: "moderation worker failed" },
  ONAIR_ERR_MODERATION_CLOSED: { description: "classifier is closed" },
} as const satisfies Record<string, { description: string; status?: number }>;

export type ModerationErrorCode = keyof typeof MODERATION_ERRORS;

/**
 * Thrown (or used to reject) by the classifier and by `mapToTencent`. It has the shape of
 * `OnAirBaseError` of @onair/callbacks (code, message, cause, status, `toJSON()`), written out
 * here because this optional package installs on its own and depends on no other OnAir package.
 *
 * @example
 * classifier.classify(jpeg).catch((err) => {
 *   if (err instanceof ModerationError && err.code === "ONAIR_ERR_MODERATION_BAD_IMAGE") skip();
 * });
 */
export class ModerationError extends Error {
  override readonly name = "ModerationError";
  readonly code: ModerationErrorCode;
  /** Moderation errors belong to no request. */
  readonly status: number | undefined = undefined;

  constructor(code: ModerationErrorCode, detail?: string, options: { cause?: unknown } = {}) {
    const base = MODERATION_ERRORS[code].description;
    super(detail ? `${base}: ${detail}` : base, options);
    this.code = code;
  }

  toJSON(): { error: { code: ModerationErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

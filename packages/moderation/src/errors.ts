/**
 * Stable codes of `ModerationError`. Codes are public API: never renamed, never reused.
 */
export const MODERATION_ERRORS = {
  /** An option is out of range (queue size, thresholds, model name). */
  ONAIR_ERR_MODERATION_BAD_OPTION: "invalid moderation option",
  /** The image is not a JPEG jpeg-js can decode (or is larger than the decode limits). */
  ONAIR_ERR_MODERATION_BAD_IMAGE: "image could not be decoded",
  /** The worker could not load the model, or died. */
  ONAIR_ERR_MODERATION_WORKER_FAILED: "moderation worker failed",
  /** `classify` was called after `close`. */
  ONAIR_ERR_MODERATION_CLOSED: "classifier is closed",
} as const;

export type ModerationErrorCode = keyof typeof MODERATION_ERRORS;

/**
 * Thrown (or used to reject) by the classifier and by `mapToTencent`.
 *
 * @example
 * classifier.classify(jpeg).catch((err) => {
 *   if (err instanceof ModerationError && err.code === "ONAIR_ERR_MODERATION_BAD_IMAGE") skip();
 * });
 */
export class ModerationError extends Error {
  override readonly name = "ModerationError";
  readonly code: ModerationErrorCode;

  constructor(code: ModerationErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = MODERATION_ERRORS[code];
    super(detail ? `${base}: ${detail}` : base, options);
    this.code = code;
  }
}

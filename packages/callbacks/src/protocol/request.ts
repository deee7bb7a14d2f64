import { computeSign, expiryFor } from "./sign.js";
import { WEBHOOK_SIGNATURE_HEADER, webhookHeaders } from "./standard-webhooks.js";

/** One HTTP request of one delivery attempt: the exact bytes to POST and the headers to send. */
export interface CallbackRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * Builds the request for one attempt: a fresh `t`/`sign` in the body (signed with the first key),
 * and Standard Webhooks headers signed with every key, so receivers that still hold a key being
 * rotated out keep verifying. The `webhook-id` must be the same for every attempt of a delivery.
 *
 * @example
 * const { body, headers } = createCallbackRequest({
 *   body: buildPushEvent(facts), keys: [template.callbackKey], webhookId: delivery.id, nowMs: Date.now(),
 * });
 */
export function createCallbackRequest(options: {
  /** The body without `t`/`sign`. */
  body: Readonly<Record<string, unknown>>;
  /**
   * Current key first, then keys still inside their rotation overlap. With none, `sign` is
   * MD5("" + t) (OnAir always signs) and `webhook-signature` is left out.
   */
  keys: readonly string[];
  webhookId: string;
  nowMs: number;
  /** Add the Standard Webhooks headers (default true). */
  webhookHeaders?: boolean;
}): CallbackRequest {
  const t = expiryFor(options.nowMs);
  const body = JSON.stringify({ ...options.body, t, sign: computeSign(options.keys[0] ?? "", t) });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.webhookHeaders !== false) {
    const extension = webhookHeaders({
      id: options.webhookId,
      timestamp: Math.floor(options.nowMs / 1000),
      body,
      keys: options.keys,
    });
    if (options.keys.length === 0) delete extension[WEBHOOK_SIGNATURE_HEADER];
    Object.assign(headers, extension);
  }
  return { body, headers };
}

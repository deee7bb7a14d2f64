import { CallbackVerificationError } from "../errors.js";
import type { CallbackEvent } from "../protocol/events.js";
import { parseEvent } from "../protocol/parse.js";
import { CALLBACK_VALIDITY_SECONDS, isValidSign } from "../protocol/sign.js";
import {
  hasValidWebhookSignature,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "../protocol/standard-webhooks.js";
import { getHeader, type HeadersLike } from "./headers.js";

/** Largest body accepted by default: 1 MiB, far above any real callback (a few KB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * How far the receiver's clock may be behind or ahead of the sender's, in seconds. `t` is already
 * ten minutes ahead of the send time, so a small tolerance is enough.
 */
export const CLOCK_SKEW_TOLERANCE_SECONDS = 60;

/** Options of `verify`. */
export interface VerifyOptions {
  /** The CallbackKey, or several during a key rotation: a body signed with any of them passes. */
  key: string | readonly string[];
  /** Reject event types without a typed variant (`ONAIR_ERR_CALLBACK_UNKNOWN_EVENT_TYPE`). */
  strict?: boolean;
  /**
   * Event types accepted without `t`/`sign`. Tencent's samples of 314, 315 and 321 carry none
   * (`UNSIGNED_IN_TENCENT_SAMPLES`); accepting them means trusting the network path instead.
   */
  allowUnsigned?: readonly number[];
  /** Require OnAir's `webhook-signature` header (which, unlike `sign`, covers the body). */
  requireWebhookSignature?: boolean;
  /** Default `DEFAULT_MAX_BODY_BYTES`. */
  maxBodyBytes?: number;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeJson(body: string | Uint8Array): unknown {
  let text: string;
  try {
    text = typeof body === "string" ? body : utf8.decode(body);
  } catch (cause) {
    throw new CallbackVerificationError("ONAIR_ERR_CALLBACK_NOT_JSON", "not UTF-8", { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CallbackVerificationError("ONAIR_ERR_CALLBACK_NOT_JSON", undefined, { cause });
  }
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
}

/** The `t` text exactly as sent (the signature hashes it), or undefined. */
function wireT(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return value;
  return undefined;
}

/**
 * Verifies a callback request and returns the typed event. Checks, in order: Content-Type, size,
 * JSON, `sign` = MD5(key + t) against every key in constant time, the expiry `t`, OnAir's
 * `webhook-signature` when present, and the body's shape. Throws `CallbackVerificationError`
 * with a stable `code` on the first failure.
 *
 * Pass the raw body: a body parsed and re-serialised by a framework still passes the `sign` check
 * but fails the `webhook-signature` check.
 *
 * @example
 * const event = verify(rawBody, req.headers, { key: process.env.CALLBACK_KEY! });
 * if (event.event_type === EventType.Interruption) markOffline(event.stream_id, event.errcode);
 */
export function verify(
  body: string | Uint8Array,
  headers: HeadersLike,
  options: VerifyOptions,
): CallbackEvent {
  const contentType = getHeader(headers, "content-type");
  if (contentType !== undefined) {
    const mediaType = contentType.split(";")[0]?.trim() ?? "";
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new CallbackVerificationError(
        "ONAIR_ERR_CALLBACK_WRONG_CONTENT_TYPE",
        `got ${mediaType || "an empty type"}`,
      );
    }
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const size = byteLength(body);
  if (size > limit) {
    throw new CallbackVerificationError(
      "ONAIR_ERR_CALLBACK_BODY_TOO_LARGE",
      `${size} bytes, limit ${limit}`,
    );
  }
  const json = decodeJson(body);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new CallbackVerificationError("ONAIR_ERR_CALLBACK_INVALID_PAYLOAD", "not a JSON object");
  }
  const record = json as Record<string, unknown>;
  const keys = typeof options.key === "string" ? [options.key] : options.key;
  const t = wireT(record.t);
  const sign = typeof record.sign === "string" ? record.sign : undefined;
  const eventType = Number(record.event_type);

  if (t === undefined || sign === undefined) {
    if (!options.allowUnsigned?.includes(eventType)) {
      throw new CallbackVerificationError(
        "ONAIR_ERR_CALLBACK_MISSING_SIGN",
        record.t !== undefined && t === undefined ? "t is not an integer" : undefined,
      );
    }
  } else {
    if (!keys.some((key) => isValidSign(key, t, sign))) {
      throw new CallbackVerificationError("ONAIR_ERR_CALLBACK_BAD_SIGN");
    }
    const nowSeconds = Math.floor((options.now?.() ?? Date.now()) / 1000);
    const expiry = Number(t);
    if (expiry < nowSeconds - CLOCK_SKEW_TOLERANCE_SECONDS) {
      throw new CallbackVerificationError(
        "ONAIR_ERR_CALLBACK_EXPIRED",
        `t=${t} is ${nowSeconds - expiry} s in the past`,
      );
    }
    if (expiry > nowSeconds + CALLBACK_VALIDITY_SECONDS + CLOCK_SKEW_TOLERANCE_SECONDS) {
      throw new CallbackVerificationError(
        "ONAIR_ERR_CALLBACK_T_TOO_FAR",
        `t=${t} is ${expiry - nowSeconds} s ahead`,
      );
    }
  }

  const signature = getHeader(headers, WEBHOOK_SIGNATURE_HEADER);
  if (signature !== undefined || options.requireWebhookSignature) {
    const id = getHeader(headers, WEBHOOK_ID_HEADER);
    const timestamp = getHeader(headers, WEBHOOK_TIMESTAMP_HEADER);
    if (
      signature === undefined ||
      id === undefined ||
      timestamp === undefined ||
      !hasValidWebhookSignature({ id, timestamp, header: signature, body, keys })
    ) {
      throw new CallbackVerificationError("ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE");
    }
  }

  return parseEvent(record, options.strict ? { strict: true } : {});
}

/** The `webhook-id` of an OnAir delivery (stable across its retries), if the sender set one. */
export function readWebhookId(headers: HeadersLike): string | undefined {
  return getHeader(headers, WEBHOOK_ID_HEADER);
}

import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * OnAir's extension headers (packages/callbacks/README.md), from the Standard Webhooks
 * specification (https://www.standardwebhooks.com):
 * `webhook-id` is stable across retries, `webhook-timestamp` is the attempt time in Unix seconds and
 * `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256(id.timestamp.body)>`.
 *
 * The HMAC key is the UTF-8 bytes of the template's CallbackKey, so a receiver using a Standard
 * Webhooks library passes `base64(CallbackKey)` as its secret.
 */
export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

/** The Standard Webhooks secret string for a CallbackKey (for use with other libraries). */
export function standardWebhooksSecret(callbackKey: string): string {
  return `whsec_${Buffer.from(callbackKey, "utf8").toString("base64")}`;
}

/** One `v1,<base64>` signature over `id.timestamp.body`. */
export function computeWebhookSignature(
  key: string,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  const hmac = createHmac("sha256", Buffer.from(key, "utf8"));
  hmac.update(`${id}.${timestamp}.`, "utf8");
  hmac.update(body);
  return `v1,${hmac.digest("base64")}`;
}

/**
 * The three headers for one attempt. Several keys give several signatures, which is how a sender
 * rotates a key without breaking receivers that still hold the old one.
 */
export function webhookHeaders(options: {
  id: string;
  timestamp: number;
  body: string | Uint8Array;
  keys: readonly string[];
}): Record<string, string> {
  const signatures = options.keys.map((key) =>
    computeWebhookSignature(key, options.id, options.timestamp, options.body),
  );
  return {
    [WEBHOOK_ID_HEADER]: options.id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(options.timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: signatures.join(" "),
  };
}

/** True when any `v1` signature in `header` matches any of `keys`, compared in constant time. */
export function hasValidWebhookSignature(options: {
  id: string;
  timestamp: string;
  header: string;
  body: string | Uint8Array;
  keys: readonly string[];
}): boolean {
  const received = options.header
    .split(" ")
    .filter((part) => part.startsWith("v1,"))
    .map((part) => Buffer.from(part.slice(3), "base64"));
  for (const key of options.keys) {
    const hmac = createHmac("sha256", Buffer.from(key, "utf8"));
    hmac.update(`${options.id}.${options.timestamp}.`, "utf8");
    hmac.update(options.body);
    const expected = hmac.digest();
    for (const candidate of received) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return true;
    }
  }
  return false;
}

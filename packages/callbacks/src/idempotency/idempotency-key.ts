import { createHash } from "node:crypto";
import type { CallbackEvent } from "../protocol/events.js";
import type { HeadersLike } from "../receiver/headers.js";
import { readWebhookId } from "../receiver/verify.js";

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

/**
 * The key that identifies one event across retries: OnAir's `webhook-id` when present, else a
 * natural key per event type (Tencent sends no delivery id):
 *
 * | event_type | natural key |
 * | --- | --- |
 * | 1, 0 | `event_type` + `sequence` (a publish has one push and one interruption) |
 * | 100 | `file_id` + `file_format` |
 * | 200 | `pic_url` |
 * | 317 | `img` + `screenshotTime` |
 * | 332 | `session_id` + `record_event` + `seq` |
 * | 341 | `session_id` + `timestamp` + `exception.type` |
 * | 321 | `stream_id` + `data_time` |
 * | 315 | `request_id`, else `stream_id` + `seq` |
 * | 314 | `task_id` + `callback_event` + hash of `msg` |
 * | unknown | SHA-256 of the body without `t` and `sign` |
 *
 * @example
 * idempotencyKey(event, req.headers) // "whid:msg_01J…" or "tc:1:2210464508206756938"
 */
export function idempotencyKey(event: CallbackEvent, headers?: HeadersLike): string {
  const webhookId = headers ? readWebhookId(headers) : undefined;
  if (webhookId) return `whid:${webhookId}`;
  switch (event.event_type) {
    case 0:
    case 1:
      return `tc:${event.event_type}:${event.sequence}`;
    case 100:
      return `tc:100:${event.file_id}:${event.file_format}`;
    case 200:
      return `tc:200:${event.pic_url}`;
    case 317:
      return `tc:317:${event.img}:${event.screenshotTime}`;
    case 332:
      return `tc:332:${event.session_id}:${event.record_event}:${event.seq ?? ""}`;
    case 341:
      return `tc:341:${event.session_id}:${event.timestamp}:${event.exception.type}`;
    case 321:
      return `tc:321:${event.stream_id}:${event.data_time}`;
    case 315:
      return event.request_id
        ? `tc:315:${event.request_id}`
        : `tc:315:${event.stream_id}:${event.seq ?? ""}`;
    case 314:
      return `tc:314:${event.task_id}:${event.callback_event}:${digest(event.msg ?? "")}`;
    case "unknown": {
      const { t: _t, sign: _s, ...rest } = event.raw;
      return `tc:${event.wire_event_type}:${digest(rest)}`;
    }
  }
}

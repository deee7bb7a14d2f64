/**
 * @onair/callbacks: verify, parse and safely handle Tencent Cloud CSS live-streaming callbacks.
 * Framework adapters are subpath exports (`@onair/callbacks/express`, `/fastify`, `/koa`, `/hono`,
 * `/next`, `/node`); the Redis idempotency store is `@onair/callbacks/redis`.
 */

export type {
  CallbackAdapterOptions,
  CallbackContext,
  CallbackHandler,
  CallbackReply,
} from "./adapters/handle-callback.js";
export { handleCallback } from "./adapters/handle-callback.js";
export {
  CALLBACK_ERRORS,
  type CallbackErrorCode,
  CallbackVerificationError,
  type ErrorBody,
  type ErrorSpec,
  errorBody,
  OnAirBaseError,
  VERIFICATION_ERRORS,
  type VerificationErrorCode,
} from "./errors.js";
export { idempotencyKey } from "./idempotency/idempotency-key.js";
export {
  type IdempotencyState,
  type IdempotencyStore,
  MemoryIdempotencyStore,
} from "./idempotency/idempotency-store.js";
export {
  DuplicateInProgressError,
  type IdempotencyOptions,
  withIdempotency,
} from "./idempotency/with-idempotency.js";
export {
  buildInterruptionEvent,
  buildPornDetectionEvent,
  buildPushEvent,
  buildRecordExceptionEvent,
  buildRecordFileEvent,
  buildRecordStatusEvent,
  buildRelayEvent,
  buildSnapshotEvent,
  type ModerationFacts,
  type PublishFacts,
  type RecordFileFacts,
  type RelayFacts,
  type SnapshotFacts,
  signBody,
} from "./protocol/build.js";
export {
  describeErrcode,
  describeInterruption,
  ERRCODES,
  Errcode,
  type ErrcodeInfo,
  type ErrmsgTexts,
  interruptionErrmsg,
  type NamedErrcode,
  SUB_ERRCODES,
  SubErrcode,
} from "./protocol/errcodes.js";
export {
  EventType,
  isKnownEventType,
  type KnownEventType,
  UNSIGNED_IN_TENCENT_SAMPLES,
} from "./protocol/event-type.js";
export type * from "./protocol/events.js";
export { type ParseOptions, parseEvent, parseJsonField } from "./protocol/parse.js";
export {
  buildPushUrl,
  checkPushAuth,
  type PushAuthFailure,
  type PushAuthResult,
  signPushUrl,
} from "./protocol/push-auth.js";
export {
  buildPushExceptionEvent,
  PUSH_ABNORMAL_TYPES,
  type PushAbnormalTally,
  PushAbnormalType,
  type PushAbnormalTypeCode,
  type PushExceptionFacts,
} from "./protocol/push-exception.js";
export {
  type RecordExceptionCode,
  type RecordExceptionLevel,
  RecordExceptionType,
} from "./protocol/record-exceptions.js";
export { type CallbackRequest, createCallbackRequest } from "./protocol/request.js";
export {
  CALLBACK_VALIDITY_SECONDS,
  computeSign,
  constantTimeEqualHex,
  expiryFor,
  isValidSign,
} from "./protocol/sign.js";
export {
  computeWebhookSignature,
  hasValidWebhookSignature,
  standardWebhooksSecret,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookHeaders,
} from "./protocol/standard-webhooks.js";
export { getHeader, type HeadersLike } from "./receiver/headers.js";
export {
  CLOCK_SKEW_TOLERANCE_SECONDS,
  DEFAULT_MAX_BODY_BYTES,
  readWebhookId,
  type VerifyOptions,
  verify,
} from "./receiver/verify.js";
export {
  DEFAULT_MAX_SESSIONS_PER_STREAM,
  type StreamKey,
  type StreamState,
  type StreamStateSnapshot,
  StreamStateTracker,
  streamKeyOf,
} from "./state/stream-state-tracker.js";

/**
 * OnAir's domain model: push domains, callback templates and rules (Tencent's configuration
 * objects), and the durable event → delivery → attempt records the dispatcher works from.
 * Plain data only; the store persists it, the API renders it in Tencent's field names.
 */

import { EventType } from "@onair/callbacks";

/** A push domain and its push-authentication keys (AddLiveDomain, ModifyLivePushAuthKey). */
export interface PushDomain {
  name: string;
  /** Tencent's DomainType: 0 push, 1 play. OnAir ingests only push domains. */
  type: 0 | 1;
  pushAuth: PushAuthConfig;
  /** Tencent's DomainInfo.Status: 1 enabled, 0 stopped by ForbidLiveDomain (publishes refused). */
  status: 0 | 1;
  /** Play authentication of a play domain (Tencent 267/30761); unused on push domains. */
  playAuth: PushAuthConfig;
  createdAt: Date;
}

export interface PushAuthConfig {
  enabled: boolean;
  mainKey: string;
  backupKey: string;
  /** Tencent's AuthDelta: extra seconds a txTime may be past (default 0). */
  authDeltaSeconds: number;
}

/** The callback URL fields of a template, by Tencent's names. */
export const CALLBACK_URL_FIELDS = [
  "StreamBeginNotifyUrl",
  "StreamEndNotifyUrl",
  "RecordNotifyUrl",
  "RecordStatusNotifyUrl",
  "SnapshotNotifyUrl",
  "PornCensorshipNotifyUrl",
  "PushExceptionNotifyUrl",
  "AudioAuditNotifyUrl",
  "RecordExceptionNotifyUrl",
  "StreamMixNotifyUrl",
] as const;
export type CallbackUrlField = (typeof CALLBACK_URL_FIELDS)[number];

/** Which template URL receives each event type (Tencent 267/32744, 267/47025). */
export const URL_FIELD_FOR_EVENT_TYPE: Readonly<Record<number, CallbackUrlField>> = {
  [EventType.Push]: "StreamBeginNotifyUrl",
  [EventType.Interruption]: "StreamEndNotifyUrl",
  [EventType.RecordFile]: "RecordNotifyUrl",
  [EventType.RecordStatus]: "RecordStatusNotifyUrl",
  [EventType.Snapshot]: "SnapshotNotifyUrl",
  [EventType.PornDetection]: "PornCensorshipNotifyUrl",
  [EventType.PushException]: "PushExceptionNotifyUrl",
  [EventType.AudioModeration]: "AudioAuditNotifyUrl",
  [EventType.RecordException]: "RecordExceptionNotifyUrl",
};

/** Delivery schedule: data, so presets and per-template overrides are plain values. */
export interface RetryPolicy {
  /** Retries after the first attempt (tencent-intl: 3). */
  maxRetries: number;
  /** Wait before each retry, in ms (tencent-intl: 60 000). */
  intervalMs: number;
  /** Per-attempt timeout in ms (tencent-intl: 20 000). */
  timeoutMs: number;
  /** Random extra wait, as a fraction of intervalMs (0 = none). */
  jitter: number;
}

/** A callback template: Tencent's fields plus OnAir's extensions. */
export interface CallbackTemplate {
  id: number;
  name: string;
  description: string;
  urls: Partial<Record<CallbackUrlField, string>>;
  /** Tencent's RecordExceptionLevels: `error`, `warning`, `info`. */
  recordExceptionLevels: string[];
  /** Current CallbackKey ("" = none). */
  callbackKey: string;
  /** Keys replaced recently, still used for Standard Webhooks signatures until `validUntil`. */
  previousKeys: { key: string; validUntil: Date }[];
  /** OnAir extension: null = the server default policy. */
  retryPolicy: RetryPolicy | null;
  /** OnAir extension: deliver one stream's events to one URL in order. */
  perStreamOrdering: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Binds a push domain and AppName to a template. AppName "" matches every AppName. */
export interface CallbackRule {
  domainName: string;
  appName: string;
  templateId: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A forward rule (docs/relay.md): every publish of `domainName`/`appName` ("" for every AppName
 * of the domain) is pushed to `targetUrl`, an rtmp:// or rtmps:// URL template.
 */
export interface ForwardRule {
  domainName: string;
  appName: string;
  targetUrl: string;
  createdAt: Date;
}

/**
 * Where an event came from; "alert" is an operator alert (docs/alerts.md), "pull-task" a
 * pull-and-relay task's 314 (docs/pull-tasks.md).
 */
export type EventSource = "ingest" | "intake" | "hook" | "trigger" | "alert" | "pull-task";

/** A durable event: committed before anything acts on it. */
export interface StoredEvent {
  id: string;
  eventType: number;
  domainName: string;
  appName: string;
  streamId: string;
  /** The callback body without `t`/`sign`. */
  body: Record<string, unknown>;
  source: EventSource;
  createdAt: Date;
}

export type DeliveryStatus = "pending" | "delivered" | "dead" | "disabled";

/** One event on its way to one URL. Its id is the `webhook-id`, stable across attempts. */
export interface Delivery {
  id: string;
  eventId: string;
  templateId: number;
  url: string;
  eventType: number;
  streamId: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  nextAttemptAt: Date;
  /** The policy in force when the delivery was created. */
  policy: RetryPolicy;
  /** Set when the template asks for per-stream ordering: `domain/app/stream|url`. */
  orderingKey: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Why an attempt failed, typed (Svix/Hook0 style). */
export type AttemptErrorCode =
  | "timeout"
  | "connection_refused"
  | "connection_reset"
  | "dns"
  | "tls"
  | "http_status"
  | "ssrf_blocked"
  | "invalid_url"
  | "endpoint_disabled"
  | "network";

/** One HTTP attempt of one delivery. */
export interface Attempt {
  deliveryId: string;
  /** 1-based. */
  number: number;
  startedAt: Date;
  durationMs: number;
  /** HTTP status, or null when no response arrived. */
  statusCode: number | null;
  errorCode: AttemptErrorCode | null;
  errorMessage: string | null;
  /** The exact body sent (with that attempt's `t`/`sign`). */
  requestBody: string;
  /** The first bytes of the response body. */
  responseSnippet: string | null;
}

/** Health of one callback URL, for auto-disable after sustained failure. */
export interface EndpointState {
  url: string;
  /** Start of the current run of failures, or null when the last attempt succeeded. */
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
}

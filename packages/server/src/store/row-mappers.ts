import type { Clock } from "../domain/clock.js";
import type {
  Attempt,
  AttemptErrorCode,
  CallbackRule,
  CallbackTemplate,
  Delivery,
  DeliveryStatus,
  EndpointState,
  EventSource,
  ForwardRule,
  PushDomain,
  RetryPolicy,
  StoredEvent,
} from "../domain/types.js";

/**
 * Rows ↔ domain objects, shared by the SQLite and PostgreSQL drivers: both store times as epoch
 * milliseconds and structured fields as JSON text, so one mapping serves both. A mapper is a
 * spec of field → converter; the column is the field's snake_case name unless the spec names it.
 */
export type Row = Record<string, unknown>;
export const json = (value: unknown) => JSON.stringify(value);

type Convert<T> = (value: unknown) => T;
const isNull = (value: unknown) => value === null || value === undefined;
const orNull =
  <T>(convert: Convert<T>): Convert<T | null> =>
  (value) =>
    isNull(value) ? null : convert(value);

export const text: Convert<string> = (value) => String(value);
export const num: Convert<number> = (value) => Number(value);
export const date: Convert<Date> = (ms) => new Date(Number(ms));
const textOrNull = orNull(text);
export const numOrNull = orNull(num);
export const dateOrNull = orNull(date);
/** A 0/1 column read as Tencent's 0 | 1. */
export const bit: Convert<0 | 1> = (value) => (Number(value) === 1 ? 1 : 0);
/** JSON text, parsed. */
export const parsed =
  <T>(): Convert<T> =>
  (value) =>
    JSON.parse(String(value)) as T;
/** A column holding one of a union of strings. */
const oneOf =
  <T>(): Convert<T> =>
  (value) =>
    value as T;

type Spec<T> = { [K in keyof T]-?: Convert<T[K]> | readonly [column: string, Convert<T[K]>] };

export function rowMapper<T>(spec: Spec<T>): (row: Row) => T {
  const fields = Object.entries(spec).map(([field, entry]) => {
    const [column, convert] = Array.isArray(entry)
      ? (entry as [string, Convert<unknown>])
      : [field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), entry as Convert<unknown>];
    return { field, column, convert };
  });
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const { field, column, convert } of fields) out[field] = convert(row[column]);
    return out as T;
  };
}

/** `created_at` and `updated_at` of a row written now, in epoch ms. */
export function stampedNow(clock: Clock): [createdAt: number, updatedAt: number] {
  const ms = clock.now().getTime();
  return [ms, ms];
}

/** The fields most rows end with. */
export const timestamps = { createdAt: date, updatedAt: date } as const;
/** A stream's DomainName + AppName + StreamName columns. */
export const streamKeyColumns = { domainName: text, appName: text, streamName: text } as const;

export const toDomain = rowMapper<PushDomain>({
  name: text,
  type: bit,
  pushAuth: parsed(),
  status: bit,
  playAuth: parsed(),
  createdAt: date,
});

/** Previous keys are stored with `validUntil` in epoch ms. */
const previousKeys: Convert<CallbackTemplate["previousKeys"]> = (value) =>
  parsed<{ key: string; validUntil: number }[]>()(value).map((k) => ({
    key: k.key,
    validUntil: new Date(k.validUntil),
  }));

export const toTemplate = rowMapper<CallbackTemplate>({
  id: num,
  name: text,
  description: text,
  urls: parsed(),
  recordExceptionLevels: parsed(),
  callbackKey: text,
  previousKeys,
  retryPolicy: orNull(parsed<RetryPolicy>()),
  perStreamOrdering: (value) => Number(value) === 1,
  ...timestamps,
});

export const toRule = rowMapper<CallbackRule>({
  domainName: text,
  appName: text,
  templateId: num,
  ...timestamps,
});

export const toForwardRule = rowMapper<ForwardRule>({
  domainName: text,
  appName: text,
  targetUrl: text,
  createdAt: date,
});

export const toEvent = rowMapper<StoredEvent>({
  id: text,
  eventType: num,
  domainName: text,
  appName: text,
  streamId: text,
  body: parsed(),
  source: oneOf<EventSource>(),
  createdAt: date,
});

export const toDelivery = rowMapper<Delivery>({
  id: text,
  eventId: text,
  templateId: num,
  url: text,
  eventType: num,
  streamId: text,
  status: oneOf<DeliveryStatus>(),
  attempts: num,
  nextAttemptAt: date,
  policy: parsed(),
  orderingKey: textOrNull,
  leaseOwner: textOrNull,
  leaseExpiresAt: dateOrNull,
  lastError: textOrNull,
  ...timestamps,
});

export const toAttempt = rowMapper<Attempt>({
  deliveryId: text,
  number: num,
  startedAt: date,
  durationMs: num,
  statusCode: numOrNull,
  errorCode: orNull(oneOf<AttemptErrorCode>()),
  errorMessage: textOrNull,
  requestBody: text,
  responseSnippet: textOrNull,
});

export const toEndpoint = rowMapper<EndpointState>({
  url: text,
  failingSince: dateOrNull,
  disabledAt: dateOrNull,
  disabledReason: textOrNull,
});

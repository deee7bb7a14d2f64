import type {
  CallbackRule,
  CallbackTemplate,
  Delivery,
  DeliveryStatus,
  EndpointState,
  EventSource,
  PushDomain,
  StoredEvent,
} from "../domain/types.js";
import { OnAirError } from "../errors.js";
import type { DeliveryFilter, TemplateInput } from "./store.js";

/**
 * Rows ↔ domain objects, shared by the SQLite and PostgreSQL drivers: both store times as epoch
 * milliseconds and structured fields as JSON text, so one mapping serves both.
 */
export type Row = Record<string, unknown>;
export const json = (value: unknown) => JSON.stringify(value);
export const date = (ms: unknown) => new Date(Number(ms));
export const dateOrNull = (ms: unknown) =>
  ms === null || ms === undefined ? null : new Date(Number(ms));

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "23505" || code?.startsWith("SQLITE_CONSTRAINT") === true;
}

export function toTemplate(r: Row): CallbackTemplate {
  return {
    id: Number(r.id),
    name: String(r.name),
    description: String(r.description),
    urls: JSON.parse(String(r.urls)),
    recordExceptionLevels: JSON.parse(String(r.record_exception_levels)),
    callbackKey: String(r.callback_key),
    previousKeys: (
      JSON.parse(String(r.previous_keys)) as { key: string; validUntil: number }[]
    ).map((k) => ({
      key: k.key,
      validUntil: new Date(k.validUntil),
    })),
    retryPolicy: r.retry_policy === null ? null : JSON.parse(String(r.retry_policy)),
    perStreamOrdering: Number(r.per_stream_ordering) === 1,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function toDelivery(r: Row): Delivery {
  return {
    id: String(r.id),
    eventId: String(r.event_id),
    templateId: Number(r.template_id),
    url: String(r.url),
    eventType: Number(r.event_type),
    streamId: String(r.stream_id),
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: date(r.next_attempt_at),
    policy: JSON.parse(String(r.policy)),
    orderingKey: (r.ordering_key as string | null) ?? null,
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseExpiresAt: dateOrNull(r.lease_expires_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function toEvent(r: Row): StoredEvent {
  return {
    id: String(r.id),
    eventType: Number(r.event_type),
    domainName: String(r.domain_name),
    appName: String(r.app_name),
    streamId: String(r.stream_id),
    body: JSON.parse(String(r.body)),
    source: r.source as EventSource,
    createdAt: date(r.created_at),
  };
}

export function toEndpoint(r: Row): EndpointState {
  return {
    url: String(r.url),
    failingSince: dateOrNull(r.failing_since),
    disabledAt: dateOrNull(r.disabled_at),
    disabledReason: (r.disabled_reason as string | null) ?? null,
  };
}

/** Cursor = base64 of "createdAtMs:id" of the last item of a page (lists are newest first). */
export function decodeCursor(cursor: string | undefined): { at: number; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split(":", 2);
  if (!at || !id || !/^\d+$/.test(at)) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "invalid cursor");
  }
  return { at: Number(at), id };
}

export function deliveryWhere(filter: Omit<DeliveryFilter, "limit" | "cursor">): {
  sql: string;
  args: unknown[];
} {
  const clauses: string[] = [];
  const args: unknown[] = [];
  if (filter.status?.length) {
    clauses.push(`status IN (${filter.status.map(() => "?").join(",")})`);
    args.push(...filter.status);
  }
  if (filter.eventTypes?.length) {
    clauses.push(`event_type IN (${filter.eventTypes.map(() => "?").join(",")})`);
    args.push(...filter.eventTypes);
  }
  if (filter.url) {
    clauses.push("url = ?");
    args.push(filter.url);
  }
  if (filter.streamId) {
    clauses.push("stream_id = ?");
    args.push(filter.streamId);
  }
  if (filter.from) {
    clauses.push("created_at >= ?");
    args.push(filter.from.getTime());
  }
  if (filter.to) {
    clauses.push("created_at < ?");
    args.push(filter.to.getTime());
  }
  return { sql: clauses.length ? clauses.join(" AND ") : "1 = 1", args };
}

export function toDomain(r: Row): PushDomain {
  return {
    name: String(r.name),
    type: Number(r.type) === 1 ? 1 : 0,
    pushAuth: JSON.parse(String(r.push_auth)),
    createdAt: date(r.created_at),
  };
}

export function toRule(r: Row): CallbackRule {
  return {
    domainName: String(r.domain_name),
    appName: String(r.app_name),
    templateId: Number(r.template_id),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function templateValues(input: TemplateInput): unknown[] {
  return [
    input.name,
    input.description,
    json(input.urls),
    json(input.recordExceptionLevels),
    input.callbackKey,
    json(input.previousKeys.map((k) => ({ key: k.key, validUntil: k.validUntil.getTime() }))),
    input.retryPolicy === null ? null : json(input.retryPolicy),
    input.perStreamOrdering ? 1 : 0,
  ];
}

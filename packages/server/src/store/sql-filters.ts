import { OnAirError } from "../errors.js";
import type { DeliveryFilter, EventFilter } from "./query-filters.js";
import { placeholders } from "./sql-runner.js";

/** A WHERE condition with `?` placeholders and its arguments. */
export type Condition = readonly [sql: string, ...args: unknown[]];

export const inList = (column: string, values: readonly unknown[]): Condition => [
  `${column} IN (${placeholders(values)})`,
  ...values,
];

/** The conditions joined with AND ("1 = 1" when there are none) and their arguments in order. */
export function where(conditions: readonly (Condition | false | null | undefined)[]): {
  sql: string;
  args: unknown[];
} {
  const kept = conditions.filter((c): c is Condition => Boolean(c));
  return {
    sql: kept.length ? kept.map(([sql]) => sql).join(" AND ") : "1 = 1",
    args: kept.flatMap(([, ...args]) => args),
  };
}

type StreamWindow = Omit<EventFilter, "limit">;

/** Events and deliveries filter alike by stream, event type and creation time. */
function streamWindow(filter: StreamWindow): (Condition | false | undefined)[] {
  return [
    filter.streamId ? ["stream_id = ?", filter.streamId] : undefined,
    filter.eventTypes?.length ? inList("event_type", filter.eventTypes) : undefined,
    filter.from && ["created_at >= ?", filter.from.getTime()],
    filter.to && ["created_at < ?", filter.to.getTime()],
  ];
}

export const eventWhere = (filter: StreamWindow) => where(streamWindow(filter));

export function deliveryConditions(
  filter: Omit<DeliveryFilter, "limit" | "cursor">,
): (Condition | false | undefined)[] {
  return [
    filter.status?.length ? inList("status", filter.status) : undefined,
    filter.url ? ["url = ?", filter.url] : undefined,
    ...streamWindow(filter),
  ];
}

/** Cursor = base64 of "createdAtMs:id" of the last item of a page (lists are newest first). */
export function encodeCursor(last: { createdAt: Date; id: string }): string {
  return Buffer.from(`${last.createdAt.getTime()}:${last.id}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): { at: number; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split(":", 2);
  if (!at || !id || !/^\d+$/.test(at)) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "invalid cursor");
  }
  return { at: Number(at), id };
}

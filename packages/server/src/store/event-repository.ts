import { json, toEvent } from "./row-mappers.js";
import { eventWhere } from "./sql-filters.js";
import { one, type SqlRunner } from "./sql-runner.js";
import {
  deliveryOrigin,
  type EventRepository,
  type NewDelivery,
  type NewEvent,
  publishKey,
} from "./store.js";

/** Events and their outbox rows: an event and its deliveries commit together, or neither does. */
export function createEventRepository(sql: SqlRunner): EventRepository {
  return {
    append(event, deliveries) {
      return sql.transaction((tx) => insertEvent(tx, event, deliveries));
    },
    get: (id) => one(sql, "SELECT * FROM events WHERE id = ?", [id], toEvent),
    async list(filter) {
      const { sql: conditions, args } = eventWhere(filter);
      return (
        await sql.all(
          `SELECT * FROM events WHERE ${conditions} ORDER BY created_at DESC, id DESC LIMIT ?`,
          [...args, filter.limit],
        )
      ).map(toEvent);
    },
    async committedSince(since, limit) {
      const rows = await sql.all(
        `SELECT e.*, (SELECT COUNT(*) FROM deliveries d WHERE d.event_id = e.id) AS delivery_count
         FROM events e WHERE e.created_at >= ? ORDER BY e.created_at, e.id LIMIT ?`,
        [since.getTime(), limit],
      );
      return rows.map((r) => ({ ...toEvent(r), deliveryCount: Number(r.delivery_count) }));
    },
  };
}

/**
 * Inserts an event and its outbox rows with `tx`, inside the caller's transaction: the change an
 * operator alert tells of (docs/alerts.md) and the alert commit together.
 */
export async function insertEvent(
  tx: SqlRunner,
  event: NewEvent,
  deliveries: readonly NewDelivery[],
): Promise<void> {
  const at = event.createdAt.getTime();
  const publish = publishKey(event);
  await tx.run(
    `INSERT INTO events (id, event_type, domain_name, app_name, stream_id, body, source, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      event.id,
      event.eventType,
      event.domainName,
      event.appName,
      event.streamId,
      json(event.body),
      event.source,
      at,
    ],
  );
  for (const d of deliveries) {
    await tx.run(
      `INSERT INTO deliveries (id, event_id, template_id, url, origin, event_type, stream_id, status,
        attempts, next_attempt_at, policy, ordering_key, publish_key, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?)`,
      [
        d.id,
        event.id,
        d.templateId,
        d.url,
        deliveryOrigin(d.url),
        event.eventType,
        event.streamId,
        at,
        json(d.policy),
        d.orderingKey,
        publish,
        at,
        at,
      ],
    );
  }
}

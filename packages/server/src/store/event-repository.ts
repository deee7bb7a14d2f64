import type { Delivery } from "../domain/types.js";
import { json, toEvent } from "./row-mappers.js";
import { eventWhere } from "./sql-filters.js";
import { first, one, type SqlRunner } from "./sql-runner.js";
import {
  type AppendLease,
  deliveryOrigin,
  type EventRepository,
  type NewDelivery,
  type NewEvent,
  publishKey,
} from "./store.js";

/** Events and their outbox rows: an event and its deliveries commit together, or neither does. */
export function createEventRepository(sql: SqlRunner): EventRepository {
  return {
    append(event, deliveries, lease) {
      return sql.transaction((tx) => insertEvent(tx, event, deliveries, lease));
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
 * operator alert tells of (docs/alerts.md) and the alert commit together. With `lease`, the rows
 * a claim could take now are inserted leased (`EventRepository.append`) and returned.
 */
export async function insertEvent(
  tx: SqlRunner,
  event: NewEvent,
  deliveries: readonly NewDelivery[],
  lease?: AppendLease,
): Promise<Delivery[]> {
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
  const leaseTo = lease && (await pastPushBarrier(tx, event, publish)) ? lease : undefined;
  const leased: Delivery[] = [];
  for (const d of deliveries) {
    // Per-stream ordering is left to the claim: two nodes appending to one ordering key at once
    // would each see no older row.
    const held = d.orderingKey === null ? leaseTo : undefined;
    const expiresAt = held ? at + held.leaseMs : null;
    await tx.run(
      `INSERT INTO deliveries (id, event_id, template_id, url, origin, event_type, stream_id, status,
        attempts, next_attempt_at, policy, ordering_key, publish_key, lease_owner, lease_expires_at,
        created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        held?.owner ?? null,
        expiresAt,
        at,
        at,
      ],
    );
    if (held && expiresAt !== null) {
      leased.push({
        id: d.id,
        eventId: event.id,
        templateId: d.templateId,
        url: d.url,
        eventType: event.eventType,
        streamId: event.streamId,
        status: "pending",
        attempts: 0,
        nextAttemptAt: event.createdAt,
        policy: d.policy,
        orderingKey: null,
        leaseOwner: held.owner,
        leaseExpiresAt: new Date(expiresAt),
        lastError: null,
        createdAt: event.createdAt,
        updatedAt: event.createdAt,
      });
    }
  }
  return leased;
}

/**
 * Whether the claim's push barrier (`PUSH_BARRIER`) lets the event's deliveries go now: a push,
 * an event of no publish, or one whose publish has no push delivery pending.
 */
async function pastPushBarrier(
  tx: SqlRunner,
  event: NewEvent,
  publish: string | null,
): Promise<boolean> {
  if (publish === null || event.eventType === 1) return true;
  const pending = await first(
    tx,
    "SELECT 1 AS held FROM deliveries WHERE publish_key = ? AND event_type = 1 AND status = 'pending' LIMIT 1",
    [publish],
  );
  return pending === undefined;
}

import type { Clock } from "../domain/clock.js";
import { OPERATOR_ALERT_TEMPLATE_ID } from "../domain/operator-alert.js";
import { insertEvent } from "./event-repository.js";
import { type Row, toAttempt, toDelivery, toEvent, toTemplate } from "./row-mappers.js";
import { decodeCursor, deliveryConditions, encodeCursor, inList, where } from "./sql-filters.js";
import { first, many, one, type SqlRunner } from "./sql-runner.js";
import type { ClaimedDelivery, DeliveryRepository } from "./store.js";
import { signingKeys } from "./template-repository.js";

export type ClaimInput = Parameters<DeliveryRepository["claimDue"]>[0];

/**
 * The driver's claim: leases the due deliveries `DeliveryRepository.claimDue` describes and
 * returns their rows, in a bounded number of statements however many it claims.
 */
export type ClaimQuery = (input: ClaimInput) => Promise<Row[]>;

/**
 * The push barrier, one condition for both drivers' claims on the candidate row `d`: a delivery
 * of a publish's other event waits while a delivery of that publish's push (event 1) is pending,
 * leased or not, so the push is always delivered (or dead) first, whichever URLs they go to. The
 * partial index `deliveries_pending_push` (migration 0015) makes the check one seek.
 */
export const PUSH_BARRIER = `(d.publish_key IS NULL OR d.event_type = 1 OR NOT EXISTS (
      SELECT 1 FROM deliveries b
      WHERE b.publish_key = d.publish_key AND b.event_type = 1 AND b.status = 'pending'))`;

/** Ids per UPDATE … IN (…): well under both drivers' limits on bound parameters. */
const ID_CHUNK = 500;

/** The outbox: claims with leases, attempts, listing and redelivery, once for both drivers. */
export function createDeliveryRepository(
  sql: SqlRunner,
  clock: Clock,
  claim: ClaimQuery,
): DeliveryRepository {
  return {
    async claimDue(input) {
      const rows = await claim(input);
      if (rows.length === 0) return [];
      // One read each for the events and the templates of the whole batch.
      const events = await byId(
        sql,
        "events",
        rows.map((r) => String(r.event_id)),
        toEvent,
      );
      const templates = await byId(
        sql,
        "callback_templates",
        rows.map((r) => Number(r.template_id)),
        toTemplate,
      );
      return rows.map((row): ClaimedDelivery => {
        const delivery = toDelivery(row);
        return {
          delivery,
          event: events.get(delivery.eventId)!,
          keys: signingKeys(templates.get(delivery.templateId), input.now),
          leaseOwner: input.owner,
        };
      });
    },
    recordAttempt({ deliveryId, owner, attempt, next, alertIfDead }) {
      return sql.transaction(async (tx) => {
        const status = next === "delivered" ? "delivered" : next === "dead" ? "dead" : "pending";
        const error = attempt.errorCode
          ? `${attempt.errorCode}: ${attempt.errorMessage ?? ""}`.trim()
          : null;
        // The UPDATE checks the lease and (PostgreSQL) locks the row in one statement; a retry
        // keeps its row's due time unless the policy gave a new one.
        const kept =
          (await tx.run(
            `UPDATE deliveries SET status = ?, attempts = attempts + 1,
                next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL,
                lease_expires_at = NULL, last_error = ?, updated_at = ?
              WHERE id = ? AND lease_owner = ?`,
            [
              status,
              next instanceof Date ? next.getTime() : null,
              error,
              clock.now().getTime(),
              deliveryId,
              owner,
            ],
          )) === 1;
        // A lost lease still gets its attempt in the log, numbered under the row's lock.
        if (
          !kept &&
          !(await first(tx, `SELECT id FROM deliveries WHERE id = ?${tx.forUpdate}`, [deliveryId]))
        ) {
          return false;
        }
        const numbered = await first(
          tx,
          "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM attempts WHERE delivery_id = ?",
          [deliveryId],
        );
        await tx.run(
          `INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error_code,
              error_message, request_body, response_snippet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            deliveryId,
            Number(numbered?.n),
            attempt.startedAt.getTime(),
            Math.round(attempt.durationMs),
            attempt.statusCode,
            attempt.errorCode,
            attempt.errorMessage,
            attempt.requestBody,
            attempt.responseSnippet,
          ],
        );
        if (kept && status === "dead" && alertIfDead) {
          await insertEvent(tx, alertIfDead.event, alertIfDead.deliveries);
        }
        return kept;
      });
    },
    releaseLeases(owner) {
      return sql.run(
        "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ?",
        [owner],
      );
    },
    get: (id) => one(sql, "SELECT * FROM deliveries WHERE id = ?", [id], toDelivery),
    async list(filter) {
      const cursor = decodeCursor(filter.cursor);
      const { sql: conditions, args } = where([
        ...deliveryConditions(filter),
        cursor && [
          "(created_at < ? OR (created_at = ? AND id < ?))",
          cursor.at,
          cursor.at,
          cursor.id,
        ],
      ]);
      const rows = await sql.all(
        `SELECT * FROM deliveries WHERE ${conditions} ORDER BY created_at DESC, id DESC LIMIT ?`,
        [...args, filter.limit + 1],
      );
      const items = rows.slice(0, filter.limit).map(toDelivery);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
    },
    async attempts(deliveryId) {
      const rows = await sql.all("SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number", [
        deliveryId,
      ]);
      return rows.map(toAttempt);
    },
    async redeliver({ ids, filter, now, dryRun }) {
      if (ids?.length === 0) return [];
      const { sql: conditions, args } = where([
        ["status <> 'pending'"],
        ids && inList("id", ids),
        ...(filter ? deliveryConditions(filter) : []),
      ]);
      return sql.transaction(async (tx) => {
        const matched = (
          await tx.all(
            `SELECT id FROM deliveries WHERE ${conditions} ORDER BY created_at${tx.forUpdate}`,
            args,
          )
        ).map((r) => String(r.id));
        if (dryRun) return matched;
        for (let i = 0; i < matched.length; i += ID_CHUNK) {
          // The retry budget starts over: the policy counts attempts since the last requeue.
          const [inIds, ...chunk] = inList("id", matched.slice(i, i + ID_CHUNK));
          await tx.run(
            `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, attempts = 0, lease_owner = NULL,
               lease_expires_at = NULL, updated_at = ? WHERE ${inIds}`,
            [now.getTime(), now.getTime(), ...chunk],
          );
        }
        return matched;
      });
    },
    async queueGauges(now) {
      const row = await first(
        sql,
        `SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
                (SELECT COUNT(*) FROM deliveries WHERE status = 'dead') AS dead,
                (SELECT MIN(created_at) FROM deliveries WHERE status = 'pending') AS oldest`,
      );
      return {
        pending: Number(row?.pending ?? 0),
        dead: Number(row?.dead ?? 0),
        oldestPendingAgeMs: ageMs(row?.oldest, now),
      };
    },
    async oldestPendingAgeMs(now) {
      // The (status, created_at) index is read in order; alert rows are skipped, not scanned for.
      const row = await first(
        sql,
        `SELECT created_at FROM deliveries WHERE status = 'pending' AND template_id <> ?
         ORDER BY created_at LIMIT 1`,
        [OPERATOR_ALERT_TEMPLATE_ID],
      );
      return ageMs(row?.created_at, now);
    },
    async stats(now) {
      const counts = await sql.all("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status");
      const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
      const oldest = await first(
        sql,
        "SELECT MIN(created_at) AS at FROM deliveries WHERE status = 'pending'",
      );
      return {
        pending: count("pending"),
        dead: count("dead"),
        delivered: count("delivered"),
        oldestPendingAgeMs: ageMs(oldest?.at, now),
      };
    },
  };
}

/** The rows of `table` with these ids, by id. */
async function byId<T extends { id: unknown }>(
  sql: SqlRunner,
  table: string,
  ids: readonly unknown[],
  map: (row: Row) => T,
): Promise<Map<unknown, T>> {
  const [condition, ...args] = inList("id", [...new Set(ids)]);
  const items = await many(sql, `SELECT * FROM ${table} WHERE ${condition}`, args, map);
  return new Map(items.map((item) => [item.id, item]));
}

function ageMs(createdAt: unknown, now: Date): number | null {
  return createdAt === null || createdAt === undefined ? null : now.getTime() - Number(createdAt);
}

import { first, placeholders, type SqlRunner } from "./sql-runner.js";

/** What one batch of the history sweep removed; null when another node held the sweep. */
export type SweptBatch = {
  events: number;
  deliveries: number;
  attempts: number;
  /** `created_at` of the newest event removed: the next batch starts there. */
  lastCreatedAtMs: number;
} | null;

/** The history sweep (retention of events, deliveries and attempts). */
export interface HistoryRepository {
  /**
   * Removes, in one short transaction, up to `limit` events created before `deliveredBefore`
   * (and at or after `fromMs`, oldest first) whose every delivery is delivered before
   * `deliveredBefore` or dead before `deadBefore` (null: dead ones are kept), with their
   * deliveries and attempts. An event with a pending delivery, or a dead one kept, stays whole.
   * Resolves to null, removing nothing, while another node runs a batch.
   */
  sweepBatch(input: {
    deliveredBefore: Date;
    deadBefore: Date | null;
    fromMs: number;
    limit: number;
  }): Promise<SweptBatch>;
}

/**
 * `exclusive`: a statement that answers one row `{ ok }`, true for the one node that may sweep now
 * (PostgreSQL's transaction-scoped advisory try-lock); none on SQLite, which has one writer.
 */
export function createHistoryRepository(sql: SqlRunner, exclusive?: string): HistoryRepository {
  return {
    sweepBatch({ deliveredBefore, deadBefore, fromMs, limit }) {
      const cutoff = deliveredBefore.getTime();
      return sql.transaction(async (tx) => {
        if (exclusive && !(await first(tx, exclusive))?.ok) return null;
        // events_by_time, then one probe of deliveries_by_event per event (migration 0013).
        const rows = await tx.all(
          `SELECT id, created_at FROM events e WHERE e.created_at >= ? AND e.created_at < ?
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id
               AND NOT ((d.status = 'delivered' AND d.updated_at < ?)
                 OR (d.status = 'dead' AND d.updated_at < ?)))
           ORDER BY e.created_at LIMIT ?`,
          [fromMs, cutoff, cutoff, deadBefore ? deadBefore.getTime() : -1, limit],
        );
        if (rows.length === 0)
          return { events: 0, deliveries: 0, attempts: 0, lastCreatedAtMs: fromMs };
        const ids = rows.map((r) => String(r.id));
        const list = placeholders(ids);
        const attempts = await tx.run(
          `DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_id IN (${list}))`,
          ids,
        );
        const deliveries = await tx.run(`DELETE FROM deliveries WHERE event_id IN (${list})`, ids);
        const events = await tx.run(`DELETE FROM events WHERE id IN (${list})`, ids);
        const lastCreatedAtMs = Number(rows[rows.length - 1]!.created_at);
        return { events, deliveries, attempts, lastCreatedAtMs };
      });
    },
  };
}

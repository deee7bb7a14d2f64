import { type ClaimQuery, PUSH_BARRIER } from "../delivery-repository.js";
import type { Row } from "../row-mappers.js";
import { inList } from "../sql-filters.js";
import { first, type SqlRunner } from "../sql-runner.js";

const FIRST_ORIGIN =
  "SELECT origin FROM deliveries WHERE status = 'pending' ORDER BY origin LIMIT 1";
const NEXT_ORIGIN =
  "SELECT origin FROM deliveries WHERE status = 'pending' AND origin > ? ORDER BY origin LIMIT 1";
// Per-stream ordering: only the oldest pending delivery of an ordering key is claimable. Push
// barrier: nothing else of a publish while its push is pending.
const DUE_OF_ORIGIN = `SELECT * FROM deliveries d
  WHERE d.status = 'pending' AND d.origin = ? AND d.next_attempt_at <= ?
    AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ?)
    AND (d.ordering_key IS NULL OR d.id = (
      SELECT o.id FROM deliveries o WHERE o.ordering_key = d.ordering_key AND o.status = 'pending'
      ORDER BY o.created_at, o.id LIMIT 1))
    AND ${PUSH_BARRIER}
  ORDER BY d.next_attempt_at, d.id LIMIT ?`;

/**
 * SQLite's claim, in one group-committed transaction (one writer at a time, so no row locks).
 * Fair per origin: walk the origins that have pending rows (a loose index scan, one seek each),
 * skip those at their cap, take each one's due rows up to its room, then the earliest `limit` of
 * those, leased by one UPDATE. A saturated origin's rows are neither read nor leased.
 */
export function sqliteClaim(sql: SqlRunner): ClaimQuery {
  return ({ owner, now, leaseMs, limit, perOriginLimit, inFlightByOrigin }) =>
    sql.transaction(async (tx) => {
      const at = now.getTime();
      const cap = perOriginLimit ?? Number.POSITIVE_INFINITY;
      const candidates: Row[] = [];
      let origin = (await first(tx, FIRST_ORIGIN))?.origin;
      while (typeof origin === "string") {
        const room = Math.min(limit, cap - (inFlightByOrigin?.get(origin) ?? 0));
        if (room > 0) candidates.push(...(await tx.all(DUE_OF_ORIGIN, [origin, at, at, room])));
        origin = (await first(tx, NEXT_ORIGIN, [origin]))?.origin;
      }
      const due = candidates
        .sort(
          (a, b) =>
            Number(a.next_attempt_at) - Number(b.next_attempt_at) ||
            (String(a.id) < String(b.id) ? -1 : 1),
        )
        .slice(0, limit);
      if (due.length === 0) return [];
      const [ids, ...idArgs] = inList(
        "id",
        due.map((r) => r.id),
      );
      await tx.run(
        `UPDATE deliveries SET lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE ${ids}`,
        [owner, at + leaseMs, at, ...idArgs],
      );
      return due.map((r) => ({
        ...r,
        lease_owner: owner,
        lease_expires_at: at + leaseMs,
        updated_at: at,
      }));
    });
}

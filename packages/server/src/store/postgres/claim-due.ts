import { type ClaimQuery, PUSH_BARRIER } from "../delivery-repository.js";
import type { SqlRunner } from "../sql-runner.js";

/**
 * PostgreSQL's claim, one statement. Fair per origin: a loose index scan over the origins with
 * pending rows (one index seek each), the room each has left under the cap, and each one's due
 * rows up to that room; then the earliest `limit`. A saturated origin's rows are neither locked
 * nor leased. `FOR UPDATE SKIP LOCKED`: nodes never claim the same delivery and never wait on
 * each other's rows. Per-stream ordering: only the oldest pending delivery of an ordering key is
 * claimable. Push barrier: nothing else of a publish while its push is pending (`PUSH_BARRIER`).
 */
const CLAIM = `WITH RECURSIVE origins AS (
    (SELECT origin FROM deliveries WHERE status = 'pending' ORDER BY origin LIMIT 1)
    UNION ALL
    SELECT (SELECT d.origin FROM deliveries d WHERE d.status = 'pending' AND d.origin > o.origin
            ORDER BY d.origin LIMIT 1)
    FROM origins o WHERE o.origin IS NOT NULL
  ),
  room AS (
    SELECT o.origin, LEAST(?::bigint, ?::bigint - COALESCE(b.n, 0)) AS n
    FROM origins o LEFT JOIN unnest(?::text[], ?::bigint[]) AS b(origin, n) ON b.origin = o.origin
    WHERE o.origin IS NOT NULL
  ),
  due AS (
    SELECT p.id FROM room r CROSS JOIN LATERAL (
      SELECT d.id, d.next_attempt_at FROM deliveries d
      WHERE d.status = 'pending' AND d.origin = r.origin AND d.next_attempt_at <= ?
        AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ?)
        AND (d.ordering_key IS NULL OR d.id = (
          SELECT o.id FROM deliveries o WHERE o.ordering_key = d.ordering_key AND o.status = 'pending'
          ORDER BY o.created_at, o.id LIMIT 1))
        AND ${PUSH_BARRIER}
      ORDER BY d.next_attempt_at, d.id
      LIMIT GREATEST(r.n, 0)
      FOR UPDATE SKIP LOCKED) p
    ORDER BY p.next_attempt_at, p.id
    LIMIT ?)
  UPDATE deliveries SET lease_owner = ?, lease_expires_at = ?, updated_at = ?
  FROM due WHERE deliveries.id = due.id
  RETURNING deliveries.*`;

export function postgresClaim(sql: SqlRunner): ClaimQuery {
  return ({ owner, now, leaseMs, limit, perOriginLimit, inFlightByOrigin }) => {
    const at = now.getTime();
    const busy = [...(inFlightByOrigin ?? new Map<string, number>())];
    return sql.all(CLAIM, [
      limit,
      perOriginLimit ?? limit,
      busy.map(([origin]) => origin),
      busy.map(([, n]) => n),
      at,
      at,
      limit,
      owner,
      at + leaseMs,
      at,
    ]);
  };
}

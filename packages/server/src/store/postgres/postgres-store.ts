import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Attempt, AttemptErrorCode } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import { createRecordingRepository } from "../recording-repository.js";
import {
  date,
  decodeCursor,
  deliveryWhere,
  isUniqueViolation,
  json,
  type Row,
  templateValues,
  toDelivery,
  toDomain,
  toEndpoint,
  toEvent,
  toRule,
  toTemplate,
} from "../row-mappers.js";
import { createSnapshotRepository } from "../snapshot-repository.js";
import type { SqlRunner } from "../sql-runner.js";
import { type ClaimedDelivery, deliveryOrigin, isStorageFull, type Store } from "../store.js";
import { createStreamRepository } from "../stream-repository.js";

const MIGRATIONS = fileURLToPath(new URL("../../../../migrations/postgres/", import.meta.url));
/** Serialises migrations of nodes starting at once. */
const MIGRATION_LOCK = 7_221_0001;

/** `?` placeholders (shared filter builders) → PostgreSQL's `$1, $2, …`. */
function numbered(sql: string, offset = 0): string {
  let n = offset;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * The store for several nodes: PostgreSQL. Claims use `FOR UPDATE SKIP LOCKED`, so nodes never
 * claim the same delivery and never wait on each other's rows; a dead node's leases expire and
 * are claimed by the others. `schema` isolates a deployment (or a test run) by search_path.
 *
 * @example
 * const store = createPostgresStore({ connectionString: "postgres://127.0.0.1/onair" });
 */
export function createPostgresStore(options: {
  connectionString: string;
  schema?: string;
  poolSize?: number;
}): Store {
  const schema = options.schema ?? "public";
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema))
    throw new OnAirError("ONAIR_ERR_CONFIG", `invalid schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
  });

  let storageFull: { at: Date; message: string } | null = null;
  const noteFailure = (err: unknown) => {
    if (isStorageFull(err))
      storageFull = { at: new Date(), message: err instanceof Error ? err.message : "disk full" };
  };
  const query = async (sql: string, args: unknown[] = []): Promise<Row[]> => {
    try {
      return (await pool.query(sql, args)).rows as Row[];
    } catch (err) {
      noteFailure(err);
      throw err;
    }
  };
  async function tx<T>(
    fn: (q: (sql: string, args?: unknown[]) => Promise<Row[]>) => Promise<T>,
  ): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(
        async (sql, args = []) => (await client.query(sql, args)).rows as Row[],
      );
      await client.query("COMMIT");
      storageFull = null;
      return result;
    } catch (err) {
      noteFailure(err);
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** `?`-placeholder statements for the repositories written once for both drivers. */
  const sql: SqlRunner = { all: (text, args = []) => query(numbered(text), args) };

  const store: Store = {
    kind: "postgres",
    sharedAcrossNodes: true,

    async migrate() {
      await query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx(async (q) => {
        await q("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        await q(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        );
        const applied = new Set(
          (await q("SELECT version FROM schema_migrations")).map((r) => String(r.version)),
        );
        for (const file of readdirSync(MIGRATIONS)
          .filter((f) => f.endsWith(".sql"))
          .sort()) {
          if (applied.has(file)) continue;
          await q(readFileSync(MIGRATIONS + file, "utf8"));
          await q("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", [
            file,
            Date.now(),
          ]);
        }
      });
    },

    async close() {
      await pool.end();
    },

    async probeWrite(node, at) {
      await query(
        "INSERT INTO health_probe (node, at) VALUES ($1, $2) ON CONFLICT (node) DO UPDATE SET at = excluded.at",
        [node, at.getTime()],
      );
      storageFull = null;
    },

    lastStorageFull() {
      return storageFull;
    },

    domains: {
      async create(input) {
        const createdAt = Date.now();
        try {
          await query(
            "INSERT INTO domains (name, type, push_auth, created_at) VALUES ($1, $2, $3, $4)",
            [input.name, input.type, json(input.pushAuth), createdAt],
          );
        } catch (err) {
          if (isUniqueViolation(err)) {
            throw new OnAirError("ONAIR_ERR_DOMAIN_EXISTS", `domain ${input.name} already exists`, {
              tencentCode: "FailedOperation.DomainAdded",
            });
          }
          throw err;
        }
        return { ...input, createdAt: new Date(createdAt) };
      },
      async get(name) {
        const [r] = await query("SELECT * FROM domains WHERE name = $1", [name]);
        return r ? toDomain(r) : null;
      },
      async list() {
        return (await query("SELECT * FROM domains ORDER BY created_at, name")).map(toDomain);
      },
      async delete(name) {
        return (await pool.query("DELETE FROM domains WHERE name = $1", [name])).rowCount! > 0;
      },
      async updatePushAuth(name, pushAuth) {
        const changed = await pool.query("UPDATE domains SET push_auth = $1 WHERE name = $2", [
          json(pushAuth),
          name,
        ]);
        return changed.rowCount! > 0 ? store.domains.get(name) : null;
      },
    },

    templates: {
      async create(input) {
        const now = Date.now();
        const [r] = await query(
          `INSERT INTO callback_templates (name, description, urls, record_exception_levels, callback_key, previous_keys,
             retry_policy, per_stream_ordering, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [...templateValues(input), now, now],
        );
        return toTemplate(r!);
      },
      async get(id) {
        const [r] = await query("SELECT * FROM callback_templates WHERE id = $1", [id]);
        return r ? toTemplate(r) : null;
      },
      async list() {
        return (await query("SELECT * FROM callback_templates ORDER BY id")).map(toTemplate);
      },
      async update(id, input) {
        const [r] = await query(
          `UPDATE callback_templates SET name = $1, description = $2, urls = $3, record_exception_levels = $4,
             callback_key = $5, previous_keys = $6, retry_policy = $7, per_stream_ordering = $8, updated_at = $9
           WHERE id = $10 RETURNING *`,
          [...templateValues(input), Date.now(), id],
        );
        return r ? toTemplate(r) : null;
      },
      async delete(id) {
        return tx(async (q) => {
          // Lock the template so a rule cannot be bound to it between the check and the delete.
          const [template] = await q("SELECT id FROM callback_templates WHERE id = $1 FOR UPDATE", [
            id,
          ]);
          if (!template) return false;
          const [rule] = await q("SELECT 1 FROM callback_rules WHERE template_id = $1 LIMIT 1", [
            id,
          ]);
          const [pending] = await q(
            "SELECT 1 FROM deliveries WHERE template_id = $1 AND status = 'pending' LIMIT 1",
            [id],
          );
          if (rule || pending) {
            throw new OnAirError(
              "ONAIR_ERR_TEMPLATE_IN_USE",
              rule
                ? `template ${id} is used by a rule`
                : `template ${id} has deliveries in progress`,
              {
                tencentCode: "FailedOperation.ConfInUsed",
              },
            );
          }
          await q("DELETE FROM callback_templates WHERE id = $1", [id]);
          return true;
        });
      },
    },

    rules: {
      async upsert(input) {
        const now = Date.now();
        const [r] = await query(
          `INSERT INTO callback_rules (domain_name, app_name, template_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
           ON CONFLICT (domain_name, app_name) DO UPDATE SET template_id = excluded.template_id, updated_at = excluded.updated_at
           RETURNING *`,
          [input.domainName, input.appName, input.templateId, now],
        );
        return toRule(r!);
      },
      async list() {
        return (await query("SELECT * FROM callback_rules ORDER BY created_at")).map(toRule);
      },
      async delete(domainName, appName) {
        return (
          (
            await pool.query(
              "DELETE FROM callback_rules WHERE domain_name = $1 AND app_name = $2",
              [domainName, appName],
            )
          ).rowCount! > 0
        );
      },
    },

    events: {
      async append(event, deliveries) {
        const at = event.createdAt.getTime();
        await tx(async (q) => {
          await q(
            `INSERT INTO events (id, event_type, domain_name, app_name, stream_id, body, source, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
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
            await q(
              `INSERT INTO deliveries (id, event_id, template_id, url, event_type, stream_id, status, attempts, next_attempt_at,
                 policy, ordering_key, created_at, updated_at, origin)
               VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $9, $7, $7, $10)`,
              [
                d.id,
                event.id,
                d.templateId,
                d.url,
                event.eventType,
                event.streamId,
                at,
                json(d.policy),
                d.orderingKey,
                deliveryOrigin(d.url),
              ],
            );
          }
        });
      },
      async get(id) {
        const [r] = await query("SELECT * FROM events WHERE id = $1", [id]);
        return r ? toEvent(r) : null;
      },
      async list(filter) {
        const clauses: string[] = [];
        const args: unknown[] = [];
        const add = (sql: string, ...values: unknown[]) => {
          clauses.push(sql);
          args.push(...values);
        };
        if (filter.streamId) add("stream_id = ?", filter.streamId);
        if (filter.eventTypes?.length)
          add(
            `event_type IN (${filter.eventTypes.map(() => "?").join(",")})`,
            ...filter.eventTypes,
          );
        if (filter.from) add("created_at >= ?", filter.from.getTime());
        if (filter.to) add("created_at < ?", filter.to.getTime());
        const where = clauses.length ? `WHERE ${clauses.join(" AND ")}` : "";
        return (
          await query(
            numbered(`SELECT * FROM events ${where} ORDER BY created_at DESC, id DESC LIMIT ?`),
            [...args, filter.limit],
          )
        ).map(toEvent);
      },
    },

    deliveries: {
      async claimDue({ owner, now, leaseMs, limit, perOriginLimit, inFlightByOrigin }) {
        const at = now.getTime();
        const busy = [...(inFlightByOrigin ?? new Map<string, number>())];
        // Fair per origin: a loose index scan over the origins with pending rows (one index seek
        // each), the room each has left under the cap, and each one's due rows up to that room;
        // then the earliest `limit`. A saturated origin's rows are neither locked nor leased.
        // Per-stream ordering: only the oldest pending delivery of an ordering key is claimable.
        const rows = await query(
          `WITH RECURSIVE origins AS (
             (SELECT origin FROM deliveries WHERE status = 'pending' ORDER BY origin LIMIT 1)
             UNION ALL
             SELECT (SELECT d.origin FROM deliveries d WHERE d.status = 'pending' AND d.origin > o.origin
                     ORDER BY d.origin LIMIT 1)
             FROM origins o WHERE o.origin IS NOT NULL
           ),
           room AS (
             SELECT o.origin, LEAST($2::bigint, $5::bigint - COALESCE(b.n, 0)) AS n
             FROM origins o LEFT JOIN unnest($6::text[], $7::bigint[]) AS b(origin, n) ON b.origin = o.origin
             WHERE o.origin IS NOT NULL
           ),
           due AS (
             SELECT p.id FROM room r CROSS JOIN LATERAL (
               SELECT d.id, d.next_attempt_at FROM deliveries d
               WHERE d.status = 'pending' AND d.origin = r.origin AND d.next_attempt_at <= $1
                 AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= $1)
                 AND (d.ordering_key IS NULL OR d.id = (
                   SELECT o.id FROM deliveries o WHERE o.ordering_key = d.ordering_key AND o.status = 'pending'
                   ORDER BY o.created_at, o.id LIMIT 1))
               ORDER BY d.next_attempt_at, d.id
               LIMIT GREATEST(r.n, 0)
               FOR UPDATE SKIP LOCKED) p
             ORDER BY p.next_attempt_at, p.id
             LIMIT $2)
           UPDATE deliveries SET lease_owner = $3, lease_expires_at = $4, updated_at = $1
           FROM due WHERE deliveries.id = due.id
           RETURNING deliveries.*`,
          [
            at,
            limit,
            owner,
            at + leaseMs,
            perOriginLimit ?? limit,
            busy.map(([origin]) => origin),
            busy.map(([, n]) => n),
          ],
        );
        if (rows.length === 0) return [];
        const events = new Map(
          (
            await query("SELECT * FROM events WHERE id = ANY($1)", [rows.map((r) => r.event_id)])
          ).map((r) => [String(r.id), toEvent(r)]),
        );
        const templates = new Map(
          (
            await query("SELECT * FROM callback_templates WHERE id = ANY($1)", [
              [...new Set(rows.map((r) => Number(r.template_id)))],
            ])
          ).map((r) => [Number(r.id), toTemplate(r)]),
        );
        return rows.map((r): ClaimedDelivery => {
          const delivery = toDelivery(r);
          const template = templates.get(delivery.templateId);
          const keys = template?.callbackKey ? [template.callbackKey] : [];
          for (const previous of template?.previousKeys ?? []) {
            if (previous.validUntil > now && previous.key && !keys.includes(previous.key))
              keys.push(previous.key);
          }
          return { delivery, event: events.get(delivery.eventId)!, keys, leaseOwner: owner };
        });
      },
      async recordAttempt({ deliveryId, owner, attempt, next }) {
        return tx(async (q) => {
          const [r] = await q("SELECT * FROM deliveries WHERE id = $1 FOR UPDATE", [deliveryId]);
          if (!r) return false;
          const [{ n }] = (await q(
            "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM attempts WHERE delivery_id = $1",
            [deliveryId],
          )) as [{ n: unknown }];
          await q(
            `INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error_code, error_message, request_body, response_snippet)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              deliveryId,
              Number(n),
              attempt.startedAt.getTime(),
              Math.round(attempt.durationMs),
              attempt.statusCode,
              attempt.errorCode,
              attempt.errorMessage,
              attempt.requestBody,
              attempt.responseSnippet,
            ],
          );
          if (r.lease_owner !== owner) return false;
          const status = next === "delivered" ? "delivered" : next === "dead" ? "dead" : "pending";
          const nextAt = next instanceof Date ? next.getTime() : Number(r.next_attempt_at);
          const error = attempt.errorCode
            ? `${attempt.errorCode}: ${attempt.errorMessage ?? ""}`.trim()
            : null;
          await q(
            `UPDATE deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, lease_owner = NULL,
               lease_expires_at = NULL, last_error = $3, updated_at = $4 WHERE id = $5`,
            [status, nextAt, error, Date.now(), deliveryId],
          );
          return true;
        });
      },
      async releaseLeases(owner) {
        return (
          (
            await pool.query(
              "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1",
              [owner],
            )
          ).rowCount ?? 0
        );
      },
      async get(id) {
        const [r] = await query("SELECT * FROM deliveries WHERE id = $1", [id]);
        return r ? toDelivery(r) : null;
      },
      async list(filter) {
        const { sql, args } = deliveryWhere(filter);
        const cursor = decodeCursor(filter.cursor);
        const page = cursor ? " AND (created_at < ? OR (created_at = ? AND id < ?))" : "";
        const rows = await query(
          numbered(
            `SELECT * FROM deliveries WHERE ${sql}${page} ORDER BY created_at DESC, id DESC LIMIT ?`,
          ),
          [...args, ...(cursor ? [cursor.at, cursor.at, cursor.id] : []), filter.limit + 1],
        );
        const items = rows.slice(0, filter.limit).map(toDelivery);
        const last = items[items.length - 1];
        const nextCursor =
          rows.length > filter.limit && last
            ? Buffer.from(`${last.createdAt.getTime()}:${last.id}`).toString("base64url")
            : null;
        return { items, nextCursor };
      },
      async attempts(deliveryId) {
        return (
          await query("SELECT * FROM attempts WHERE delivery_id = $1 ORDER BY number", [deliveryId])
        ).map(
          (r): Attempt => ({
            deliveryId: String(r.delivery_id),
            number: Number(r.number),
            startedAt: date(r.started_at),
            durationMs: Number(r.duration_ms),
            statusCode: r.status_code === null ? null : Number(r.status_code),
            errorCode: (r.error_code as AttemptErrorCode | null) ?? null,
            errorMessage: (r.error_message as string | null) ?? null,
            requestBody: String(r.request_body),
            responseSnippet: (r.response_snippet as string | null) ?? null,
          }),
        );
      },
      async redeliver({ ids, filter, now, dryRun }) {
        const clauses: string[] = ["status <> 'pending'"];
        const args: unknown[] = [];
        if (ids) {
          if (ids.length === 0) return [];
          clauses.push(`id IN (${ids.map(() => "?").join(",")})`);
          args.push(...ids);
        }
        if (filter) {
          const where = deliveryWhere(filter);
          clauses.push(where.sql);
          args.push(...where.args);
        }
        return tx(async (q) => {
          const matched = (
            await q(
              numbered(
                `SELECT id FROM deliveries WHERE ${clauses.join(" AND ")} ORDER BY created_at FOR UPDATE`,
              ),
              args,
            )
          ).map((r) => String(r.id));
          if (!dryRun && matched.length) {
            await q(
              `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, attempts = 0, lease_owner = NULL,
                 lease_expires_at = NULL, updated_at = $1 WHERE id = ANY($2)`,
              [now.getTime(), matched],
            );
          }
          return matched;
        });
      },
      async queueGauges(now) {
        const [row] = await query(
          `SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
                  (SELECT COUNT(*) FROM deliveries WHERE status = 'dead') AS dead,
                  (SELECT MIN(created_at) FROM deliveries WHERE status = 'pending') AS oldest`,
        );
        return {
          pending: Number(row?.pending ?? 0),
          dead: Number(row?.dead ?? 0),
          oldestPendingAgeMs:
            row?.oldest === null || row?.oldest === undefined
              ? null
              : now.getTime() - Number(row.oldest),
        };
      },
      async stats(now) {
        const counts = await query("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status");
        const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
        const [oldest] = await query(
          "SELECT MIN(created_at) AS at FROM deliveries WHERE status = 'pending'",
        );
        return {
          pending: count("pending"),
          dead: count("dead"),
          delivered: count("delivered"),
          oldestPendingAgeMs:
            oldest?.at === null || oldest?.at === undefined
              ? null
              : now.getTime() - Number(oldest.at),
        };
      },
    },

    streams: createStreamRepository(sql),
    recording: createRecordingRepository(sql),
    snapshots: createSnapshotRepository(sql),

    endpoints: {
      async get(url) {
        const [r] = await query("SELECT * FROM endpoints WHERE url = $1", [url]);
        return r ? toEndpoint(r) : null;
      },
      async list() {
        return (await query("SELECT * FROM endpoints ORDER BY url")).map(toEndpoint);
      },
      async markSuccess(url) {
        await query("UPDATE endpoints SET failing_since = NULL WHERE url = $1", [url]);
      },
      async markFailure(url, at) {
        const [r] = await query(
          `INSERT INTO endpoints (url, failing_since) VALUES ($1, $2)
           ON CONFLICT (url) DO UPDATE SET failing_since = COALESCE(endpoints.failing_since, excluded.failing_since)
           RETURNING *`,
          [url, at.getTime()],
        );
        return toEndpoint(r!);
      },
      async disable(url, at, reason) {
        await query(
          `INSERT INTO endpoints (url, disabled_at, disabled_reason) VALUES ($1, $2, $3)
           ON CONFLICT (url) DO UPDATE SET disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason`,
          [url, at.getTime(), reason],
        );
      },
      async enable(url) {
        return (
          (
            await pool.query(
              "UPDATE endpoints SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL WHERE url = $1",
              [url],
            )
          ).rowCount! > 0
        );
      },
    },
  };
  return store;
}

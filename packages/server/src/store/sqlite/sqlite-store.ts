import { channel } from "node:diagnostics_channel";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
} from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
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

/**
 * Named diagnostics channel: the SQL text of each statement run through the statement cache
 * (`{ driver, sql }`), published only while someone subscribes (tests count what a route runs).
 */
export const statementChannel = channel("onair:store:statement");

/** Numbered migrations ship with the package: dist/src/store/sqlite → ../../../../migrations. */
const MIGRATIONS = fileURLToPath(new URL("../../../../migrations/sqlite/", import.meta.url));

/**
 * The embedded store: one SQLite file in WAL mode. `synchronous = FULL` makes every committed
 * transaction durable across power loss, which the outbox promises (SPEC §6); WAL keeps readers
 * off the writer's path.
 *
 * @example
 * const store = createSqliteStore({ path: "./data/onair.db" });
 * await store.migrate();
 */
export function createSqliteStore(options: { path: string }): Store {
  if (options.path !== ":memory:") {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    // The database holds CallbackKeys and push keys. SQLite gives -wal and -shm the main file's
    // mode, so the file is made owner-only before WAL starts (an existing one is tightened).
    closeSync(openSync(options.path, "a", 0o600));
    chmodSync(options.path, statSync(options.path).mode & 0o700);
  }
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");

  // Preparing a statement costs more than running it: keep them, keyed by SQL text. The few
  // queries with variable IN lists add a handful of entries; the cap bounds any surprise.
  const statements = new Map<string, Database.Statement>();
  const prepared = (text: string): Database.Statement => {
    if (statementChannel.hasSubscribers) statementChannel.publish({ driver: "sqlite", sql: text });
    let statement = statements.get(text);
    if (!statement) {
      if (statements.size >= 256) statements.clear();
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };

  // Group commit: the event and attempt writes queued in one event-loop turn run in one
  // transaction, each in its own savepoint (a failing one rolls back alone), so they share one
  // fsync. Each caller's promise settles only after that commit: nothing is acknowledged before
  // it is durable.
  type QueuedWrite = {
    run: () => unknown;
    resolve(value: unknown): void;
    reject(err: unknown): void;
  };
  const queued: QueuedWrite[] = [];
  let flushScheduled = false;
  let storageFull: { at: Date; message: string } | null = null;
  const noteFailure = (error: unknown) => {
    if (isStorageFull(error))
      storageFull = { at: new Date(), message: error instanceof Error ? error.message : "full" };
  };
  const flush = () => {
    flushScheduled = false;
    const batch = queued.splice(0);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      db.transaction(() => {
        for (const write of batch) {
          try {
            outcomes.push({ ok: true, value: db.transaction(write.run)() });
          } catch (error) {
            noteFailure(error);
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (error) {
      noteFailure(error);
      for (const write of batch) write.reject(error);
      return;
    }
    if (outcomes.every((o) => o.ok)) storageFull = null;
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) write.resolve(outcome.value);
      else write.reject(outcome?.error);
    });
  };
  const groupCommit = <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queued.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });

  /** `?`-placeholder statements for the repositories written once for both drivers. */
  const sql: SqlRunner = {
    async all(text, args = []) {
      const statement = prepared(text);
      if (statement.reader) return statement.all(...args) as Row[];
      statement.run(...args);
      return [];
    },
  };

  const templateKeys = (templateId: number, now: Date): string[] => {
    const row = prepared("SELECT * FROM callback_templates WHERE id = ?").get(templateId) as
      | Row
      | undefined;
    if (!row) return [];
    const template = toTemplate(row);
    const keys = template.callbackKey ? [template.callbackKey] : [];
    for (const previous of template.previousKeys) {
      if (previous.validUntil > now && previous.key && !keys.includes(previous.key))
        keys.push(previous.key);
    }
    return keys;
  };

  const store: Store = {
    kind: "sqlite",
    sharedAcrossNodes: false,

    async migrate() {
      db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
      );
      const applied = new Set(
        (prepared("SELECT version FROM schema_migrations").all() as Row[]).map((r) =>
          String(r.version),
        ),
      );
      for (const file of readdirSync(MIGRATIONS)
        .filter((f) => f.endsWith(".sql"))
        .sort()) {
        if (applied.has(file)) continue;
        const sql = readFileSync(MIGRATIONS + file, "utf8");
        db.transaction(() => {
          db.exec(sql);
          prepared("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(
            file,
            Date.now(),
          );
        }).immediate();
      }
    },

    async close() {
      db.close();
    },

    probeWrite(node, at) {
      return groupCommit(() => {
        prepared(
          "INSERT INTO health_probe (node, at) VALUES (?, ?) ON CONFLICT (node) DO UPDATE SET at = excluded.at",
        ).run(node, at.getTime());
      });
    },

    lastStorageFull() {
      return storageFull;
    },

    domains: {
      async create(input) {
        const createdAt = Date.now();
        try {
          prepared(
            "INSERT INTO domains (name, type, push_auth, created_at) VALUES (?, ?, ?, ?)",
          ).run(input.name, input.type, json(input.pushAuth), createdAt);
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
        const r = prepared("SELECT * FROM domains WHERE name = ?").get(name) as Row | undefined;
        return r ? toDomain(r) : null;
      },
      async list() {
        return (prepared("SELECT * FROM domains ORDER BY created_at, name").all() as Row[]).map(
          toDomain,
        );
      },
      async delete(name) {
        return prepared("DELETE FROM domains WHERE name = ?").run(name).changes > 0;
      },
      async updatePushAuth(name, pushAuth) {
        const changed = db
          .prepare("UPDATE domains SET push_auth = ? WHERE name = ?")
          .run(json(pushAuth), name);
        return changed.changes > 0 ? store.domains.get(name) : null;
      },
    },

    templates: {
      async create(input) {
        const now = Date.now();
        const result = db
          .prepare(
            `INSERT INTO callback_templates (name, description, urls, record_exception_levels, callback_key,
              previous_keys, retry_policy, per_stream_ordering, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(...templateValues(input), now, now);
        return (await store.templates.get(Number(result.lastInsertRowid)))!;
      },
      async get(id) {
        const r = prepared("SELECT * FROM callback_templates WHERE id = ?").get(id) as
          | Row
          | undefined;
        return r ? toTemplate(r) : null;
      },
      async list() {
        return (prepared("SELECT * FROM callback_templates ORDER BY id").all() as Row[]).map(
          toTemplate,
        );
      },
      async update(id, input) {
        const changed = db
          .prepare(
            `UPDATE callback_templates SET name = ?, description = ?, urls = ?, record_exception_levels = ?,
              callback_key = ?, previous_keys = ?, retry_policy = ?, per_stream_ordering = ?, updated_at = ?
             WHERE id = ?`,
          )
          .run(...templateValues(input), Date.now(), id);
        return changed.changes > 0 ? store.templates.get(id) : null;
      },
      async delete(id) {
        return db
          .transaction(() => {
            const rule = db
              .prepare("SELECT 1 FROM callback_rules WHERE template_id = ? LIMIT 1")
              .get(id);
            const pending = db
              .prepare(
                "SELECT 1 FROM deliveries WHERE template_id = ? AND status = 'pending' LIMIT 1",
              )
              .get(id);
            if (rule || pending) {
              throw new OnAirError(
                "ONAIR_ERR_TEMPLATE_IN_USE",
                rule
                  ? `template ${id} is used by a rule`
                  : `template ${id} has deliveries in progress`,
                { tencentCode: "FailedOperation.ConfInUsed" },
              );
            }
            return prepared("DELETE FROM callback_templates WHERE id = ?").run(id).changes > 0;
          })
          .immediate();
      },
    },

    rules: {
      async upsert(input) {
        const now = Date.now();
        prepared(
          `INSERT INTO callback_rules (domain_name, app_name, template_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (domain_name, app_name) DO UPDATE SET template_id = excluded.template_id,
             updated_at = excluded.updated_at`,
        ).run(input.domainName, input.appName, input.templateId, now, now);
        const r = db
          .prepare("SELECT * FROM callback_rules WHERE domain_name = ? AND app_name = ?")
          .get(input.domainName, input.appName) as Row;
        return toRule(r);
      },
      async list() {
        return (prepared("SELECT * FROM callback_rules ORDER BY created_at").all() as Row[]).map(
          toRule,
        );
      },
      async delete(domainName, appName) {
        return (
          db
            .prepare("DELETE FROM callback_rules WHERE domain_name = ? AND app_name = ?")
            .run(domainName, appName).changes > 0
        );
      },
    },

    events: {
      append(event, deliveries) {
        const at = event.createdAt.getTime();
        return groupCommit(() => {
          prepared(
            `INSERT INTO events (id, event_type, domain_name, app_name, stream_id, body, source, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            event.id,
            event.eventType,
            event.domainName,
            event.appName,
            event.streamId,
            json(event.body),
            event.source,
            at,
          );
          const insert = prepared(
            `INSERT INTO deliveries (id, event_id, template_id, url, origin, event_type, stream_id, status,
              attempts, next_attempt_at, policy, ordering_key, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)`,
          );
          for (const d of deliveries) {
            insert.run(
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
              at,
              at,
            );
          }
        });
      },
      async get(id) {
        const r = prepared("SELECT * FROM events WHERE id = ?").get(id) as Row | undefined;
        return r ? toEvent(r) : null;
      },
      async list(filter) {
        const clauses: string[] = [];
        const args: unknown[] = [];
        if (filter.streamId) {
          clauses.push("stream_id = ?");
          args.push(filter.streamId);
        }
        if (filter.eventTypes?.length) {
          clauses.push(`event_type IN (${filter.eventTypes.map(() => "?").join(",")})`);
          args.push(...filter.eventTypes);
        }
        if (filter.from) {
          clauses.push("created_at >= ?");
          args.push(filter.from.getTime());
        }
        if (filter.to) {
          clauses.push("created_at < ?");
          args.push(filter.to.getTime());
        }
        const where = clauses.length ? `WHERE ${clauses.join(" AND ")}` : "";
        return (
          db
            .prepare(`SELECT * FROM events ${where} ORDER BY created_at DESC, id DESC LIMIT ?`)
            .all(...args, filter.limit) as Row[]
        ).map(toEvent);
      },
    },

    deliveries: {
      async claimDue({ owner, now, leaseMs, limit, perOriginLimit, inFlightByOrigin }) {
        const at = now.getTime();
        const cap = perOriginLimit ?? Number.POSITIVE_INFINITY;
        const rows = await groupCommit(() => {
          // Fair per origin: walk the origins that have pending rows (a loose index scan, one seek
          // each), skip those at their cap, take each one's due rows up to its room, then the
          // earliest `limit` of those. A saturated origin's rows are neither read nor leased.
          const firstOrigin = prepared(
            "SELECT origin FROM deliveries WHERE status = 'pending' ORDER BY origin LIMIT 1",
          );
          const nextOrigin = prepared(
            "SELECT origin FROM deliveries WHERE status = 'pending' AND origin > ? ORDER BY origin LIMIT 1",
          );
          // Per-stream ordering: only the oldest pending delivery of an ordering key is claimable.
          const dueOfOrigin = prepared(
            `SELECT * FROM deliveries d
                 WHERE d.status = 'pending' AND d.origin = ? AND d.next_attempt_at <= ?
                   AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ?)
                   AND (d.ordering_key IS NULL OR d.id = (
                     SELECT o.id FROM deliveries o WHERE o.ordering_key = d.ordering_key AND o.status = 'pending'
                     ORDER BY o.created_at, o.id LIMIT 1))
                 ORDER BY d.next_attempt_at, d.id LIMIT ?`,
          );
          const candidates: Row[] = [];
          let origin = (firstOrigin.get() as Row | undefined)?.origin as string | undefined;
          while (origin !== undefined) {
            const room = Math.min(limit, cap - (inFlightByOrigin?.get(origin) ?? 0));
            if (room > 0) candidates.push(...(dueOfOrigin.all(origin, at, at, room) as Row[]));
            origin = (nextOrigin.get(origin) as Row | undefined)?.origin as string | undefined;
          }
          const due = candidates
            .sort(
              (a, b) =>
                Number(a.next_attempt_at) - Number(b.next_attempt_at) ||
                (String(a.id) < String(b.id) ? -1 : 1),
            )
            .slice(0, limit);
          const lease = prepared(
            "UPDATE deliveries SET lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE id = ?",
          );
          for (const r of due) {
            lease.run(owner, at + leaseMs, at, r.id);
            r.lease_owner = owner;
            r.lease_expires_at = at + leaseMs;
          }
          return due;
        });
        const claimed: ClaimedDelivery[] = [];
        for (const r of rows) {
          const delivery = toDelivery(r);
          const event = (await store.events.get(delivery.eventId))!;
          claimed.push({
            delivery,
            event,
            keys: templateKeys(delivery.templateId, now),
            leaseOwner: owner,
          });
        }
        return claimed;
      },
      recordAttempt({ deliveryId, owner, attempt, next }) {
        return groupCommit(() => {
          const r = prepared("SELECT * FROM deliveries WHERE id = ?").get(deliveryId) as
            | Row
            | undefined;
          if (!r) return false;
          const number =
            Number(
              (
                prepared("SELECT MAX(number) n FROM attempts WHERE delivery_id = ?").get(
                  deliveryId,
                ) as Row
              ).n ?? 0,
            ) + 1;
          prepared(
            `INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error_code,
                error_message, request_body, response_snippet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            deliveryId,
            number,
            attempt.startedAt.getTime(),
            Math.round(attempt.durationMs),
            attempt.statusCode,
            attempt.errorCode,
            attempt.errorMessage,
            attempt.requestBody,
            attempt.responseSnippet,
          );
          if (r.lease_owner !== owner) return false;
          const status = next === "delivered" ? "delivered" : next === "dead" ? "dead" : "pending";
          const nextAt = next instanceof Date ? next.getTime() : Number(r.next_attempt_at);
          const error = attempt.errorCode
            ? `${attempt.errorCode}: ${attempt.errorMessage ?? ""}`.trim()
            : null;
          prepared(
            `UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_owner = NULL,
                lease_expires_at = NULL, last_error = ?, updated_at = ? WHERE id = ?`,
          ).run(status, nextAt, error, Date.now(), deliveryId);
          return true;
        });
      },
      async releaseLeases(owner) {
        return db
          .prepare(
            "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ?",
          )
          .run(owner).changes;
      },
      async get(id) {
        const r = prepared("SELECT * FROM deliveries WHERE id = ?").get(id) as Row | undefined;
        return r ? toDelivery(r) : null;
      },
      async list(filter) {
        const { sql, args } = deliveryWhere(filter);
        const cursor = decodeCursor(filter.cursor);
        const page = cursor ? " AND (created_at < ? OR (created_at = ? AND id < ?))" : "";
        const pageArgs = cursor ? [cursor.at, cursor.at, cursor.id] : [];
        const rows = db
          .prepare(
            `SELECT * FROM deliveries WHERE ${sql}${page} ORDER BY created_at DESC, id DESC LIMIT ?`,
          )
          .all(...args, ...pageArgs, filter.limit + 1) as Row[];
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
          db
            .prepare("SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number")
            .all(deliveryId) as Row[]
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
        return db
          .transaction(() => {
            const matched = (
              db
                .prepare(
                  `SELECT id FROM deliveries WHERE ${clauses.join(" AND ")} ORDER BY created_at`,
                )
                .all(...args) as Row[]
            ).map((r) => String(r.id));
            if (!dryRun && matched.length) {
              // The retry budget starts over: the policy counts attempts since the last requeue.
              prepared(
                `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, attempts = 0, lease_owner = NULL,
                  lease_expires_at = NULL, updated_at = ? WHERE id IN (${matched.map(() => "?").join(",")})`,
              ).run(now.getTime(), now.getTime(), ...matched);
            }
            return matched;
          })
          .immediate();
      },
      async queueGauges(now) {
        const count = (status: string) =>
          Number(
            (prepared("SELECT COUNT(*) n FROM deliveries WHERE status = ?").get(status) as Row).n,
          );
        const oldest = prepared(
          "SELECT MIN(created_at) at FROM deliveries WHERE status = 'pending'",
        ).get() as Row;
        return {
          pending: count("pending"),
          dead: count("dead"),
          oldestPendingAgeMs: oldest.at === null ? null : now.getTime() - Number(oldest.at),
        };
      },
      async stats(now) {
        const counts = prepared(
          "SELECT status, COUNT(*) n FROM deliveries GROUP BY status",
        ).all() as Row[];
        const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
        const oldest = prepared(
          "SELECT MIN(created_at) at FROM deliveries WHERE status = 'pending'",
        ).get() as Row;
        return {
          pending: count("pending"),
          dead: count("dead"),
          delivered: count("delivered"),
          oldestPendingAgeMs: oldest.at === null ? null : now.getTime() - Number(oldest.at),
        };
      },
    },

    streams: createStreamRepository(sql),
    recording: createRecordingRepository(sql),
    snapshots: createSnapshotRepository(sql),

    endpoints: {
      async get(url) {
        const r = prepared("SELECT * FROM endpoints WHERE url = ?").get(url) as Row | undefined;
        return r ? toEndpoint(r) : null;
      },
      async list() {
        return (prepared("SELECT * FROM endpoints ORDER BY url").all() as Row[]).map(toEndpoint);
      },
      async markSuccess(url) {
        prepared("UPDATE endpoints SET failing_since = NULL WHERE url = ?").run(url);
      },
      async markFailure(url, at) {
        prepared(
          `INSERT INTO endpoints (url, failing_since) VALUES (?, ?)
           ON CONFLICT (url) DO UPDATE SET failing_since = COALESCE(endpoints.failing_since, excluded.failing_since)`,
        ).run(url, at.getTime());
        return (await store.endpoints.get(url))!;
      },
      async disable(url, at, reason) {
        prepared(
          `INSERT INTO endpoints (url, disabled_at, disabled_reason) VALUES (?, ?, ?)
           ON CONFLICT (url) DO UPDATE SET disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason`,
        ).run(url, at.getTime(), reason);
      },
      async enable(url) {
        return (
          db
            .prepare(
              "UPDATE endpoints SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL WHERE url = ?",
            )
            .run(url).changes > 0
        );
      },
    },
  };
  return store;
}

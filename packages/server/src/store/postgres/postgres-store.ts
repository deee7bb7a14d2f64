import { fileURLToPath } from "node:url";
import pg from "pg";
import { type Clock, systemClock } from "../../domain/clock.js";
import { OnAirError } from "../../errors.js";
import { applyMigrations } from "../migrations.js";
import { createSqlStore } from "../sql-store.js";
import type { Store } from "../store.js";
import { postgresClaim } from "./claim-due.js";
import { createPostgresRunner } from "./postgres-runner.js";

const MIGRATIONS = fileURLToPath(new URL("../../../../migrations/postgres/", import.meta.url));
/** Serialises migrations of nodes starting at once. */
const MIGRATION_LOCK = 7_221_0001;

/**
 * The store for several nodes: PostgreSQL. Claims use `FOR UPDATE SKIP LOCKED`, so nodes never
 * claim the same delivery; a dead node's leases expire and are claimed by the others. `schema`
 * isolates a deployment (or a test run) by search_path.
 *
 * @example
 * const store = createPostgresStore({ connectionString: "postgres://127.0.0.1/onair" });
 */
export function createPostgresStore(options: {
  connectionString: string;
  schema?: string;
  poolSize?: number;
  clock?: Clock;
}): Store {
  const clock = options.clock ?? systemClock;
  const schema = options.schema ?? "public";
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema))
    throw new OnAirError("ONAIR_ERR_CONFIG", `invalid schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
  });
  const sql = createPostgresRunner(pool, clock);
  return createSqlStore(sql, clock, {
    kind: "postgres",
    sharedAcrossNodes: true,
    claim: postgresClaim,
    // One node sweeps history at a time, per schema (a deployment): the others skip the round.
    historySweepLock:
      "SELECT pg_try_advisory_xact_lock(hashtext('onair.history-sweep'), hashtext(current_schema())) AS ok",
    async migrate() {
      await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      const lock = ["SELECT pg_advisory_xact_lock(?)", MIGRATION_LOCK] as const;
      await applyMigrations(sql, { dir: MIGRATIONS, clock, lock });
    },
    close: () => pool.end(),
  });
}

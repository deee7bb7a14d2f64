/**
 * Fresh stores for the store benches, with a side door for bulk rows: a second connection that
 * runs plain SQL (one INSERT … SELECT over a recursive CTE fills millions of rows in seconds,
 * where the repositories would commit them one by one).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createPostgresStore } from "../src/store/postgres/postgres-store.js";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { Store } from "../src/store/store.js";
import { dropSchemas, TEST_DATABASE_URL, uniqueSchema } from "../test/helpers/test-database.js";

export type Driver = "sqlite" | "postgres";

export interface BenchStore {
  driver: Driver;
  store: Store;
  /** Runs `sql` (no placeholders) on the side connection. */
  exec(sql: string): Promise<void>;
  /** The CREATE INDEX statements of `tables` (primary keys excepted), to drop and remake. */
  indexes(tables: string[]): Promise<{ name: string; sql: string }[]>;
  close(): Promise<void>;
}

/**
 * `SELECT i FROM n` yields 1..count in the `WITH` this returns: a recursive CTE on SQLite,
 * generate_series (several times faster) on PostgreSQL.
 */
export const series = (count: number, driver: Driver = "sqlite") =>
  driver === "postgres"
    ? `WITH n(i) AS (SELECT generate_series(1, ${count}))`
    : `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})`;

export async function openBenchStore(driver: Driver): Promise<BenchStore> {
  if (driver === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "onair-bench-store-"));
    const path = join(dir, "onair.db");
    const store = createSqliteStore({ path });
    await store.migrate();
    const side = new Database(path);
    side.pragma("busy_timeout = 5000");
    return {
      driver,
      store,
      async exec(sql) {
        side.exec(sql);
      },
      async indexes(tables) {
        return side
          .prepare(
            `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
             AND tbl_name IN (${tables.map(() => "?").join(",")})`,
          )
          .all(...tables) as { name: string; sql: string }[];
      },
      async close() {
        side.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueSchema("onair_bench");
  const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, schema });
  await store.migrate();
  const side = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    options: `-c search_path=${schema}`,
  });
  await side.connect();
  // Bulk fills need not wait for fsync; what the bench measures runs on the store's own pool.
  await side.query("SET synchronous_commit = off");
  return {
    driver,
    store,
    async exec(sql) {
      await side.query(sql);
    },
    async indexes(tables) {
      const { rows } = await side.query<{ name: string; sql: string }>(
        `SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE schemaname = $1
         AND tablename = ANY($2) AND indexname NOT LIKE '%_pkey'`,
        [schema, tables],
      );
      return rows;
    },
    async close() {
      await side.end();
      await store.close();
      await dropSchemas(schema);
    },
  };
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

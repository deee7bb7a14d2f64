import type pg from "pg";
import type { Clock } from "../../domain/clock.js";
import type { Row } from "../row-mappers.js";
import { type DriverRunner, publishStatement, type SqlRunner } from "../sql-runner.js";
import { createStorageFullTracker } from "../storage-full.js";

/**
 * `?` placeholders → PostgreSQL's `$1, $2, …`, outside quoted strings, quoted names and comments
 * (a `?` there is text, not a parameter). A statement without arguments runs verbatim.
 */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?/g, (token) =>
    token === "?" ? `$${++n}` : token,
  );
}

/**
 * The pool behind the runner: each statement on any connection, a transaction on one connection
 * (BEGIN … COMMIT, nested: a savepoint).
 */
export function createPostgresRunner(pool: pg.Pool, clock: Clock): DriverRunner {
  const storageFull = createStorageFullTracker(clock);
  const broken = new WeakSet<pg.PoolClient>();
  const query = async (client: pg.Pool | pg.PoolClient, text: string, args: unknown[]) => {
    publishStatement("postgres", text);
    try {
      const result = await client.query(args.length ? numbered(text) : text, args);
      // Outside a transaction every write commits by itself.
      if (client === pool && result.command !== "SELECT") storageFull.clear();
      return result;
    } catch (err) {
      storageFull.note(err);
      throw err;
    }
  };

  const over = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
    forUpdate: " FOR UPDATE",
    isUniqueViolation: (err) => (err as { code?: string }).code === "23505",
    all: async (text, args = []) => (await query(client, text, args)).rows as Row[],
    run: async (text, args = []) => (await query(client, text, args)).rowCount ?? 0,
    exec: async (script) => {
      await query(client, script, []);
    },
    transaction: (fn) =>
      "release" in client
        ? inside(client, "SAVEPOINT tx", "RELEASE tx", "ROLLBACK TO tx", fn)
        : transaction(fn),
  });

  async function inside<T>(
    client: pg.PoolClient,
    begin: string,
    commit: string,
    rollback: string,
    fn: (tx: SqlRunner) => Promise<T>,
  ): Promise<T> {
    await query(client, begin, []);
    try {
      const result = await fn(over(client));
      await query(client, commit, []);
      return result;
    } catch (err) {
      // A connection that cannot roll back is broken: the pool must not hand it out again.
      await client.query(rollback).catch(() => broken.add(client));
      throw err;
    }
  }

  async function transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      const result = await inside(client, "BEGIN", "COMMIT", "ROLLBACK", fn);
      storageFull.clear();
      return result;
    } finally {
      // release(true) destroys the connection instead of returning it to the pool.
      client.release(broken.delete(client) || undefined);
    }
  }

  return { ...over(pool), storageFull };
}

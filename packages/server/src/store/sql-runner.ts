import { channel } from "node:diagnostics_channel";
import type { Row } from "./row-mappers.js";
import type { StorageFullTracker } from "./storage-full.js";

/**
 * What the repositories need from a driver: statements with `?` placeholders (PostgreSQL's driver
 * numbers them), their rows (`RETURNING` included) or how many rows they changed, and a
 * transaction. Repositories written against it serve SQLite and PostgreSQL alike.
 */
export interface SqlRunner {
  all(sql: string, args?: unknown[]): Promise<Row[]>;
  /** Runs one statement; resolves to the number of rows it inserted, updated or deleted. */
  run(sql: string, args?: unknown[]): Promise<number>;
  /**
   * Runs `fn` in one transaction (nested: a savepoint), committed when it resolves and rolled
   * back when it rejects. `fn` must use the runner it is given, not this one.
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without arguments, verbatim (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Appended to a SELECT inside a transaction to lock the rows read: " FOR UPDATE" on PostgreSQL;
   * nothing on SQLite, whose write transactions already exclude each other.
   */
  readonly forUpdate: string;
  /** Whether `error` is this driver's unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
}

/** A driver's connection behind the runner, with its record of the last storage-full error. */
export type DriverRunner = SqlRunner & { readonly storageFull: StorageFullTracker };

/** The first row of a statement, or undefined. */
export async function first(
  sql: SqlRunner,
  text: string,
  args?: unknown[],
): Promise<Row | undefined> {
  return (await sql.all(text, args))[0];
}

/** `?, ?, ?` for an IN list of `values`. */
export const placeholders = (values: readonly unknown[]): string => values.map(() => "?").join(",");

/**
 * Named diagnostics channel: the SQL text of each statement a driver runs (`{ driver, sql }`, `?`
 * placeholders), published only while someone subscribes (tests count what a route runs).
 */
export const statementChannel = channel("onair:store:statement");

export function publishStatement(driver: "sqlite" | "postgres", sql: string): void {
  if (statementChannel.hasSubscribers) statementChannel.publish({ driver, sql });
}

/** The first row of a statement mapped, or null. */
export async function one<T>(
  sql: SqlRunner,
  text: string,
  args: unknown[],
  map: (row: Row) => T,
): Promise<T | null> {
  const row = await first(sql, text, args);
  return row ? map(row) : null;
}

/** Every row of a statement, mapped. */
export async function many<T>(
  sql: SqlRunner,
  text: string,
  args: unknown[],
  map: (row: Row) => T,
): Promise<T[]> {
  return (await sql.all(text, args)).map(map);
}

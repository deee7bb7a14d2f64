import type { Row } from "./row-mappers.js";

/**
 * The least two drivers share: run one statement with `?` placeholders and get its rows
 * (`RETURNING` included). Repositories written against it serve SQLite and PostgreSQL alike.
 */
export interface SqlRunner {
  all(sql: string, args?: unknown[]): Promise<Row[]>;
}

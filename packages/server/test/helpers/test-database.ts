import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL on this machine (trust auth); override with ONAIR_TEST_DATABASE_URL. */
export const TEST_DATABASE_URL =
  process.env.ONAIR_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other test run uses: `<prefix>_<12 hex>`. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** The URL OnAir's `databaseUrl` takes to keep its tables in `schema`. */
export function schemaUrl(schema: string): string {
  return `${TEST_DATABASE_URL}?schema=${schema}`;
}

/** Drops the schemas (and everything in them) a test created. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

import { join } from "node:path";
import type { OnAirConfig } from "../config/schema.js";
import { OnAirError } from "../errors.js";
import { createSqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/**
 * Opens and migrates the store the configuration names: SQLite in the data directory, unless
 * `databaseUrl` names PostgreSQL.
 */
export async function openStore(config: OnAirConfig): Promise<Store> {
  if (config.databaseUrl) {
    throw new OnAirError(
      "ONAIR_ERR_UNSUPPORTED",
      "ONAIR_DATABASE_URL is set, but this build has no PostgreSQL driver yet: unset it to use the embedded SQLite store",
    );
  }
  const store = createSqliteStore({ path: join(config.dataDir, "onair.db") });
  await store.migrate();
  return store;
}

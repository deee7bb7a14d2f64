import { join } from "node:path";
import type { OnAirConfig } from "../config/schema.js";
import { createPostgresStore } from "./postgres/postgres-store.js";
import { createSqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/**
 * Opens and migrates the store the configuration names: PostgreSQL when `databaseUrl` is a
 * postgres URL (an optional `schema` query parameter selects the schema), else SQLite in the data
 * directory.
 */
export async function openStore(config: OnAirConfig): Promise<Store> {
  let store: Store;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    const schema = url.searchParams.get("schema") ?? undefined;
    url.searchParams.delete("schema");
    store = createPostgresStore({
      connectionString: url.toString(),
      ...(schema ? { schema } : {}),
    });
  } else {
    store = createSqliteStore({ path: join(config.dataDir, "onair.db") });
  }
  await store.migrate();
  return store;
}

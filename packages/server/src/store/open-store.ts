import { join } from "node:path";
import type { OnAirConfig } from "../config/schema.js";
import { type Clock, systemClock } from "../domain/clock.js";
import { createPostgresStore } from "./postgres/postgres-store.js";
import { createSqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/**
 * Opens and migrates the store the configuration names: PostgreSQL when `databaseUrl` is a
 * postgres URL (an optional `schema` query parameter selects the schema), else SQLite in the data
 * directory. The store stamps its rows with `clock`.
 */
export async function openStore(
  config: OnAirConfig,
  options: { clock?: Clock } = {},
): Promise<Store> {
  const clock = options.clock ?? systemClock;
  let store: Store;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    const schema = url.searchParams.get("schema") ?? undefined;
    url.searchParams.delete("schema");
    store = createPostgresStore({
      connectionString: url.toString(),
      clock,
      ...(schema ? { schema } : {}),
    });
  } else {
    store = createSqliteStore({ path: join(config.dataDir, "onair.db"), clock });
  }
  await store.migrate();
  return store;
}

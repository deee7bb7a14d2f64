import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type Clock, systemClock } from "../../domain/clock.js";
import { applyMigrations } from "../migrations.js";
import { createSqlStore } from "../sql-store.js";
import type { Store } from "../store.js";
import { sqliteClaim } from "./claim-due.js";
import { createSqliteRunner } from "./sqlite-runner.js";

/** Numbered migrations ship with the package: dist/src/store/sqlite → ../../../../migrations. */
const MIGRATIONS = fileURLToPath(new URL("../../../../migrations/sqlite/", import.meta.url));

/**
 * The embedded store: one SQLite file in WAL mode. `synchronous = FULL` makes every committed
 * transaction durable across power loss, which the outbox promises; WAL keeps readers off the
 * writer's path.
 *
 * @example
 * const store = createSqliteStore({ path: "./data/onair.db" });
 * await store.migrate();
 */
export function createSqliteStore(options: { path: string; clock?: Clock }): Store {
  const clock = options.clock ?? systemClock;
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

  const sql = createSqliteRunner(db, clock);
  return createSqlStore(sql, clock, {
    kind: "sqlite",
    sharedAcrossNodes: false,
    claim: sqliteClaim,
    migrate: () => applyMigrations(sql, { dir: MIGRATIONS, clock }),
    async close() {
      // Writes already queued for the group commit were promised: commit them first.
      await sql.drain();
      db.close();
    },
  });
}

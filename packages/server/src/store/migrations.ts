import { readdirSync, readFileSync } from "node:fs";
import type { Clock } from "../domain/clock.js";
import type { SqlRunner } from "./sql-runner.js";

/**
 * Applies the numbered `.sql` files of `dir` not applied yet, in name order, in one transaction:
 * a failing migration leaves the schema as it was. `lock` (PostgreSQL's advisory lock) runs first
 * so that nodes starting at once migrate one after the other.
 */
export async function applyMigrations(
  sql: SqlRunner,
  options: { dir: string; clock: Clock; lock?: readonly [sql: string, ...args: unknown[]] },
): Promise<void> {
  await sql.transaction(async (tx) => {
    if (options.lock) await tx.run(options.lock[0], options.lock.slice(1));
    await tx.run(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    );
    const applied = new Set(
      (await tx.all("SELECT version FROM schema_migrations")).map((r) => String(r.version)),
    );
    for (const file of readdirSync(options.dir)
      .filter((f) => f.endsWith(".sql") && !applied.has(f))
      .sort()) {
      await tx.exec(readFileSync(options.dir + file, "utf8"));
      await tx.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [
        file,
        options.clock.now().getTime(),
      ]);
    }
  });
}

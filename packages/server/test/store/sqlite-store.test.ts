import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { storeContract } from "./store-contract.js";

storeContract("SQLite (WAL, temp dir)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "onair-store-"));
  const store = createSqliteStore({ path: join(dir, "onair.db") });
  await store.migrate();
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

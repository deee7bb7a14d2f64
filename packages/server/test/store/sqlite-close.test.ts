import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

test("SQLite close() commits the writes queued for the group commit before closing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "onair-close-"));
  try {
    const path = join(dir, "onair.db");
    const store = createSqliteStore({ path });
    await store.migrate();
    const append = store.events.append(
      {
        id: "evt_queued",
        eventType: 1,
        domainName: "d.example",
        appName: "live",
        streamId: "s1",
        body: {},
        source: "intake",
        createdAt: new Date(1_800_000_000_000),
      },
      [],
    );
    await store.close();
    await append;
    const reopened = createSqliteStore({ path });
    assert.equal((await reopened.events.get("evt_queued"))?.id, "evt_queued");
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

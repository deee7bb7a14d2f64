import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const event = (id: string) => ({
  id,
  eventType: 1,
  domainName: "d.example",
  appName: "live",
  streamId: "s1",
  body: {},
  source: "intake" as const,
  createdAt: new Date(1_800_000_000_000),
});

test("SQLite close() commits the writes queued for the group commit before closing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "onair-close-"));
  try {
    const path = join(dir, "onair.db");
    const store = createSqliteStore({ path });
    await store.migrate();
    const append = store.events.append(event("evt_queued"), []);
    await store.close();
    await append;
    const reopened = createSqliteStore({ path });
    assert.equal((await reopened.events.get("evt_queued"))?.id, "evt_queued");
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SQLite close() also commits a write queued in reaction to a committed one, then refuses", async () => {
  const dir = mkdtempSync(join(tmpdir(), "onair-close-"));
  try {
    const path = join(dir, "onair.db");
    const store = createSqliteStore({ path });
    await store.migrate();
    // The second append is queued only when the first has committed, while close() is draining.
    const chained = store.events
      .append(event("evt_first"), [])
      .then(() => store.events.append(event("evt_second"), []));
    await store.close();
    await chained;
    await assert.rejects(store.events.append(event("evt_late"), []), /closed/);
    const reopened = createSqliteStore({ path });
    assert.equal((await reopened.events.get("evt_first"))?.id, "evt_first");
    assert.equal((await reopened.events.get("evt_second"))?.id, "evt_second");
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import pg from "pg";
import type { Clock } from "../../src/domain/clock.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { TEST_DATABASE_URL } from "../helpers/test-database.js";

/** A clock far from the machine's, so a row stamped by `Date.now()` cannot pass for it. */
const NOW = new Date("2031-05-06T07:08:09.000Z");
const clock: Clock = { now: () => new Date(NOW) };

async function rowsAreStampedByTheClock(store: Store): Promise<void> {
  await store.migrate();
  const pushAuth = { enabled: false, mainKey: "", backupKey: "", authDeltaSeconds: 0 };
  const domain = await store.domains.create({ name: "clock.example", type: 0, pushAuth });
  assert.deepEqual(domain.createdAt, NOW);
  assert.deepEqual((await store.domains.get("clock.example"))?.createdAt, NOW);
  const template = await store.templates.create({
    name: "t",
    description: "",
    urls: {},
    recordExceptionLevels: [],
    callbackKey: "",
    previousKeys: [],
    retryPolicy: null,
    perStreamOrdering: false,
  });
  assert.deepEqual([template.createdAt, template.updatedAt], [NOW, NOW]);
  const rule = await store.rules.upsert({
    domainName: "clock.example",
    appName: "",
    templateId: template.id,
  });
  assert.deepEqual([rule.createdAt, rule.updatedAt], [NOW, NOW]);
  const record = await store.recording.createTemplate({ name: "r", description: "", params: {} });
  assert.deepEqual([record.createdAt, record.updatedAt], [NOW, NOW]);
  await store.recording.upsertRule({
    domainName: "clock.example",
    appName: "",
    streamName: "",
    templateId: record.id,
  });
  assert.deepEqual((await store.recording.listRules())[0]?.createdAt, NOW);
}

describe("the store stamps rows with its injected clock", () => {
  test("SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onair-clock-"));
    const store = createSqliteStore({ path: join(dir, "onair.db"), clock });
    try {
      await rowsAreStampedByTheClock(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("PostgreSQL", async () => {
    const schema = `onair_clock_${randomBytes(6).toString("hex")}`;
    const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, schema, clock });
    try {
      await rowsAreStampedByTheClock(store);
    } finally {
      await store.close();
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});

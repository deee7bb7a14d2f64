import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { Clock } from "../../src/domain/clock.js";
import { applyMigrations } from "../../src/store/migrations.js";
import { createRefusalRepository } from "../../src/store/refusal-repository.js";
import { createSqliteRunner } from "../../src/store/sqlite/sqlite-runner.js";

const MIGRATIONS = fileURLToPath(new URL("../../../migrations/sqlite/", import.meta.url));

test("refused publishes: newest first within the window, and only the newest maxRows are kept", async () => {
  let now = 1_800_000_000_000;
  const clock: Clock = { now: () => new Date(now) };
  const db = new Database(":memory:");
  const sql = createSqliteRunner(db, clock);
  try {
    await applyMigrations(sql, { dir: MIGRATIONS, clock });
    const refusals = createRefusalRepository(sql, clock, 3);
    for (let i = 1; i <= 5; i++) {
      now += 1000;
      await refusals.record({
        domainName: "d.example",
        appName: "live",
        streamName: `s${i}`,
        clientIp: "192.0.2.1",
        errcode: 18,
        subErrcode: i % 2 === 0 ? 305 : null,
      });
    }
    const all = await refusals.list({ from: new Date(0), to: new Date(now + 1), limit: 100 });
    assert.deepEqual(
      all.map((r) => r.streamName),
      ["s5", "s4", "s3"],
      "the two oldest were dropped",
    );
    assert.equal(all[1]?.subErrcode, 305);
    assert.equal(all[0]?.subErrcode, null);
    const window = await refusals.list({
      from: new Date(now - 1000),
      to: new Date(now),
      limit: 100,
    });
    assert.deepEqual(
      window.map((r) => r.streamName),
      ["s4"],
      "from is inclusive, to exclusive",
    );
  } finally {
    await sql.drain();
    db.close();
  }
});

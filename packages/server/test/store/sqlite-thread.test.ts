import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { systemClock } from "../../src/domain/clock.js";
import { openSqliteConnection } from "../../src/store/sqlite/sqlite-connection.js";
import { createSqliteRunner, type SqliteRunner } from "../../src/store/sqlite/sqlite-runner.js";

describe("SQLite in its own thread, behind the group-commit runner", () => {
  let dir: string;
  let sql: SqliteRunner;
  let close: () => Promise<void>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "onair-sqlite-thread-"));
    const db = openSqliteConnection(join(dir, "t.db"), [
      "journal_mode = WAL",
      "synchronous = FULL",
    ]);
    sql = createSqliteRunner(db, systemClock);
    close = async () => {
      await sql.drain();
      await db.close();
    };
    await sql.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL)");
  });
  afterEach(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ids = async () => (await sql.all("SELECT id FROM t ORDER BY id")).map((r) => Number(r.id));

  test("a transaction that awaits other work between statements is one unit: no read sees it half done", async () => {
    let midway: Promise<number[]> | undefined;
    const before = ids();
    await sql.transaction(async (tx) => {
      await tx.run("INSERT INTO t (id, note) VALUES (?, ?)", [1, "first"]);
      // Non-SQL work between two statements: a read issued now must not see row 1 alone.
      midway = ids();
      await new Promise((resolve) => setTimeout(resolve, 30));
      await tx.run("INSERT INTO t (id, note) VALUES (?, ?)", [2, "second"]);
    });
    assert.deepEqual(await before, [], "a read issued before the commit began sees nothing");
    assert.deepEqual(await midway, [1, 2], "one issued inside it waited for the commit: both rows");
  });

  test("a failing transaction rolls back alone; the others of its group commit stay", async () => {
    const results = await Promise.allSettled([
      sql.run("INSERT INTO t (id, note) VALUES (?, ?)", [10, "kept"]),
      sql.transaction(async (tx) => {
        await tx.run("INSERT INTO t (id, note) VALUES (?, ?)", [11, "rolled back"]);
        throw new Error("changed my mind");
      }),
      sql.run("INSERT INTO t (id, note) VALUES (?, ?)", [12, "kept too"]),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /changed my mind/);
    assert.deepEqual(await ids(), [10, 12]);
  });

  test("a statement's error reaches the caller with SQLite's message and code; the runner goes on", async () => {
    await sql.run("INSERT INTO t (id, note) VALUES (?, ?)", [20, "a"]);
    const duplicate = await sql.run("INSERT INTO t (id, note) VALUES (?, ?)", [20, "again"]).then(
      () => assert.fail("a duplicate key must fail"),
      (error: unknown) => error,
    );
    assert.match(String((duplicate as Error).message), /UNIQUE constraint failed: t\.id/);
    assert.equal((duplicate as { code?: string }).code, "SQLITE_CONSTRAINT_PRIMARYKEY");
    assert.ok(sql.isUniqueViolation(duplicate));
    await assert.rejects(sql.all("SELECT nope FROM t"), /no such column: nope/);
    await assert.rejects(
      sql.transaction((tx) => tx.run("INSERT INTO t (id) VALUES (?)", [21])),
      /NOT NULL constraint failed: t\.note/,
    );
    await sql.run("INSERT INTO t (id, note) VALUES (?, ?)", [22, "b"]);
    assert.deepEqual(await ids(), [20, 22]);
  });

  test("a commit does not hold the event loop: a callback queued before it runs while it is in flight", async () => {
    let ran = false;
    const write = sql.run("INSERT INTO t (id, note) VALUES (?, ?)", [30, "c"]);
    // Queued after the group commit's turn: in the same thread as the connection, the batch
    // (COMMIT and its fsync included) would settle before this ran.
    setImmediate(() => {
      ran = true;
    });
    let ranBeforeCommit = false;
    await write.then(() => (ranBeforeCommit = ran));
    assert.ok(ranBeforeCommit, "the event loop turned while the commit was in the SQLite thread");
  });

  test("opening a path that cannot be a database fails at once with SQLite's message", () => {
    assert.throws(
      () => openSqliteConnection(join(dir, "missing", "dir", "t.db"), []),
      /unable to open database file|directory does not exist/,
    );
  });
});

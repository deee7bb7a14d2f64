import type Database from "better-sqlite3";
import type { Clock } from "../../domain/clock.js";
import type { Row } from "../row-mappers.js";
import { type DriverRunner, publishStatement, type SqlRunner } from "../sql-runner.js";
import { createStorageFullTracker } from "../storage-full.js";

export interface SqliteRunner extends DriverRunner {
  /**
   * Settles once every queued write is committed (or has failed), then refuses new writes: the
   * last step before closing the connection.
   */
  drain(): Promise<void>;
}

type QueuedWrite = {
  fn: (tx: SqlRunner) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
};

/**
 * The SQLite connection behind the runner. Reads run at once. Writes and transactions are
 * group-committed: those queued in one event-loop turn run in one transaction, each in its own
 * savepoint (a failing one rolls back alone), so they share one fsync; each caller's promise
 * settles only after that commit: nothing is acknowledged before it is durable.
 */
export function createSqliteRunner(db: Database.Database, clock: Clock): SqliteRunner {
  const storageFull = createStorageFullTracker(clock);
  // Preparing a statement costs more than running it: keep them, keyed by SQL text. The few
  // queries with variable IN lists add a handful of entries; the cap bounds any surprise.
  const statements = new Map<string, Database.Statement>();
  const prepared = (text: string): Database.Statement => {
    let statement = statements.get(text);
    if (!statement) {
      if (statements.size >= 256) statements.clear();
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const control = {
    begin: db.prepare("BEGIN IMMEDIATE"),
    commit: db.prepare("COMMIT"),
    rollback: db.prepare("ROLLBACK"),
    savepoint: db.prepare("SAVEPOINT write"),
    release: db.prepare("RELEASE write"),
    rollbackTo: db.prepare("ROLLBACK TO write"),
  };

  async function savepoint<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    control.savepoint.run();
    try {
      const value = await fn(connection);
      control.release.run();
      return value;
    } catch (error) {
      // SQLITE_FULL and a few others roll the whole transaction back by themselves.
      if (db.inTransaction) {
        control.rollbackTo.run();
        control.release.run();
      }
      throw error;
    }
  }

  /** Statements on the connection as it stands: inside the group-commit transaction. */
  const connection: SqlRunner = {
    forUpdate: "",
    isUniqueViolation,
    async all(text, args = []) {
      publishStatement("sqlite", text);
      const statement = prepared(text);
      if (statement.reader) return statement.all(...args) as Row[];
      statement.run(...args);
      return [];
    },
    async run(text, args = []) {
      publishStatement("sqlite", text);
      return prepared(text).run(...args).changes;
    },
    async exec(script) {
      db.exec(script);
    },
    transaction: savepoint,
  };

  let queued: QueuedWrite[] = [];
  let scheduled = false;
  let closed = false;
  /** The batch being committed; reads wait for it so they never see its uncommitted writes. */
  let committing: Promise<void> | null = null;
  /** The one flush running: batches never overlap, since each is one BEGIN IMMEDIATE. */
  let flushing: Promise<void> | null = null;

  async function commit(batch: QueuedWrite[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      control.begin.run();
      for (const write of batch) {
        try {
          outcomes.push({ ok: true, value: await savepoint(write.fn) });
        } catch (error) {
          storageFull.note(error);
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      control.commit.run();
    } catch (error) {
      storageFull.note(error);
      try {
        if (db.inTransaction) control.rollback.run();
      } catch {
        // The connection failed under the rollback too; the writes get the first error.
      }
      for (const write of batch) write.reject(error);
      return;
    }
    if (outcomes.every((o) => o.ok)) storageFull.clear();
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) write.resolve(outcome.value);
      else write.reject(outcome?.error);
    });
  }

  const idle = async () => {
    while (committing) await committing;
  };
  /** Commits batch after batch until the queue is empty; writes queued meanwhile join the next. */
  async function commitQueued(): Promise<void> {
    try {
      while (queued.length > 0) {
        const batch = queued;
        queued = [];
        committing = commit(batch);
        await committing;
      }
    } finally {
      committing = null;
    }
  }
  function flush(): Promise<void> {
    scheduled = false;
    if (!flushing && queued.length > 0) {
      const run = commitQueued();
      flushing = run;
      const clear = () => {
        if (flushing === run) flushing = null;
      };
      run.then(clear, clear);
    }
    return flushing ?? Promise.resolve();
  }
  const groupCommit = <T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new Error("the SQLite store is closed"));
        return;
      }
      queued.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  return {
    forUpdate: "",
    isUniqueViolation,
    storageFull,
    async all(text, args) {
      if (!prepared(text).readonly) return groupCommit((tx) => tx.all(text, args));
      await idle();
      return connection.all(text, args);
    },
    async run(text, args) {
      if (!prepared(text).readonly) return groupCommit((tx) => tx.run(text, args));
      await idle();
      return connection.run(text, args);
    },
    exec: (script) => groupCommit((tx) => tx.exec(script)),
    transaction: groupCommit,
    async drain() {
      // Writes queued by code reacting to a committed batch (its promise callbacks run before the
      // next macrotask) count too: loop until a turn passes with nothing queued.
      do {
        await flush();
        await new Promise((resolve) => setImmediate(resolve));
      } while (queued.length > 0 || flushing);
      closed = true;
    },
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

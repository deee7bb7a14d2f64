import type { Clock } from "../../domain/clock.js";
import { type DriverRunner, publishStatement, type SqlRunner } from "../sql-runner.js";
import { createStorageFullTracker } from "../storage-full.js";
import type { SqliteConnection } from "./sqlite-connection.js";

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
 * settles only after that commit: nothing is acknowledged before it is durable. The connection
 * lives in its own thread (`openSqliteConnection`): the commit's fsync does not hold the event
 * loop, and a transaction's statements still run on the one connection as one unit, since no
 * other statement reaches it until the batch is committed.
 */
export function createSqliteRunner(db: SqliteConnection, clock: Clock): SqliteRunner {
  const storageFull = createStorageFullTracker(clock);

  async function savepoint<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    db.control("savepoint");
    try {
      const value = await fn(connection);
      db.control("release");
      return value;
    } catch (error) {
      // SQLITE_FULL and a few others roll the whole transaction back by themselves.
      if (db.inTransaction) {
        db.control("rollbackTo");
        db.control("release");
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
      return db.all(text, args);
    },
    async run(text, args = []) {
      publishStatement("sqlite", text);
      return db.run(text, args);
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
      db.control("begin");
      for (const write of batch) {
        try {
          outcomes.push({ ok: true, value: await savepoint(write.fn) });
        } catch (error) {
          storageFull.note(error);
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      await db.commit();
    } catch (error) {
      storageFull.note(error);
      try {
        if (db.inTransaction) db.control("rollback");
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
      if (!db.describe(text).readonly) return groupCommit((tx) => tx.all(text, args));
      await idle();
      return connection.all(text, args);
    },
    async run(text, args) {
      if (!db.describe(text).readonly) return groupCommit((tx) => tx.run(text, args));
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

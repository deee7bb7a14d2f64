import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { Row } from "../row-mappers.js";
import {
  type ControlOp,
  REPLIES,
  REQUESTS,
  type SqliteCall,
  type SqliteReply,
} from "./sqlite-protocol.js";

/** What a statement is: whether it only reads, and whether it returns rows. */
export interface StatementKind {
  readonly: boolean;
  reader: boolean;
}

/**
 * One SQLite connection in its own thread. Statements are synchronous calls (the event loop waits
 * only for the statement itself, as with better-sqlite3 in the same thread); `commit` is
 * asynchronous, so the fsync of a commit never blocks the event loop. The caller issues one
 * request at a time apart from `commit`, during which it issues none: the SQLite runner's group
 * commit holds every read and write until the batch is committed.
 */
export interface SqliteConnection {
  describe(sql: string): StatementKind;
  all(sql: string, args: readonly unknown[]): Row[];
  run(sql: string, args: readonly unknown[]): number;
  exec(script: string): void;
  /**
   * BEGIN, ROLLBACK: waited for. SAVEPOINT and RELEASE (one pair per write of a group commit) are
   * only posted, in order, saving two thread round trips per write: an error of theirs is thrown
   * by the next request waited for.
   */
  control(op: Exclude<ControlOp, "commit">): void;
  commit(): Promise<void>;
  /** Whether the connection was in a transaction after the last request. */
  readonly inTransaction: boolean;
  /** Closes the database and ends the thread. */
  close(): Promise<void>;
}

/** An error the SQLite thread reported, with better-sqlite3's `code` (SQLITE_…) kept. */
export class SqliteThreadError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = "SqliteError";
    this.code = code;
  }
}

/**
 * Opens the database at `path` in a worker thread and applies `pragmas` there, in order. Throws,
 * as better-sqlite3 does, when the database cannot be opened.
 */
export function openSqliteConnection(path: string, pragmas: readonly string[]): SqliteConnection {
  const { port1: port, port2 } = new MessageChannel();
  const { port1: wake, port2: wakeWorker } = new MessageChannel();
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL("./sqlite-worker.js", import.meta.url), {
    workerData: { path, pragmas, port: port2, wake: wakeWorker, signal: counters.buffer },
    transferList: [port2, wakeWorker],
  });
  // The thread must not keep the process alive by itself; closing the store ends it.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let nextId = 0;
  let posted = 0;
  /** Replies read from the port while waiting for another one (a commit's, read after it). */
  const early = new Map<number, SqliteReply>();
  let inTransaction = false;
  /** Requests posted without waiting for their replies (see `control`). */
  let unchecked: number[] = [];

  const post = (call: SqliteCall, id: number, wakes: boolean): number => {
    port.postMessage({ ...call, id, wake: wakes });
    Atomics.add(counters, REQUESTS, 1);
    Atomics.notify(counters, REQUESTS);
    return ++posted;
  };
  /** The reply to `id`, if it has arrived; other replies are kept for their callers. */
  const take = (id: number): SqliteReply | undefined => {
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
      const reply = next.message as SqliteReply;
      early.set(reply.id, reply);
    }
    const reply = early.get(id);
    early.delete(id);
    return reply;
  };
  const settle = (reply: SqliteReply): unknown => {
    inTransaction = reply.inTransaction;
    if (!reply.ok) throw new SqliteThreadError(reply.error.message, reply.error.code);
    return reply.value;
  };
  /** Blocks until the worker has replied to everything posted up to the `due`th request. */
  const waitFor = (due: number) => {
    for (let seen = Atomics.load(counters, REPLIES); seen < due; ) {
      Atomics.wait(counters, REPLIES, seen);
      seen = Atomics.load(counters, REPLIES);
    }
  };
  /** Settles the replies of the requests not waited for: throws the first failure. */
  const checkUnchecked = () => {
    const ids = unchecked;
    unchecked = [];
    const replies = ids.map((id) => take(id) as SqliteReply);
    const failed = replies.find((reply) => !reply.ok);
    if (failed) settle(failed);
  };
  /** Once every reply up to `id` has arrived: `id`'s, after those posted before it. */
  const settleInOrder = (id: number): unknown => {
    const reply = take(id) as SqliteReply;
    checkUnchecked();
    return settle(reply);
  };
  const call = (request: SqliteCall): unknown => {
    const id = ++nextId;
    waitFor(post(request, id, false));
    return settleInOrder(id);
  };
  const callAsync = async (request: SqliteCall): Promise<unknown> => {
    const id = ++nextId;
    // The listener keeps the event loop alive until the worker says the reply is posted.
    const woken = new Promise<void>((resolve) => {
      const heard = (wokenId: number) => {
        if (wokenId !== id) return;
        wake.off("message", heard);
        resolve();
      };
      wake.on("message", heard);
    });
    post(request, id, true);
    await woken;
    return settleInOrder(id);
  };

  const kinds = new Map<string, StatementKind>();
  const connection: SqliteConnection = {
    describe(sql) {
      let kind = kinds.get(sql);
      if (!kind) {
        if (kinds.size >= 1024) kinds.clear();
        kind = call({ op: "describe", sql }) as StatementKind;
        kinds.set(sql, kind);
      }
      return kind;
    },
    all: (sql, args) => call({ op: "all", sql, args: [...args] }) as Row[],
    run: (sql, args) => call({ op: "run", sql, args: [...args] }) as number,
    exec(script) {
      call({ op: "exec", sql: script });
    },
    control(op) {
      if (op === "savepoint" || op === "release") {
        const id = ++nextId;
        post({ op }, id, false);
        unchecked.push(id);
      } else call({ op });
    },
    async commit() {
      await callAsync({ op: "commit" });
    },
    get inTransaction() {
      if (unchecked.length > 0) {
        // Asked on an error path: the state after the requests not waited for, errors aside.
        waitFor(posted);
        const ids = unchecked;
        unchecked = [];
        for (const id of ids) inTransaction = (take(id) as SqliteReply).inTransaction;
      }
      return inTransaction;
    },
    async close() {
      // The thread ends after closing the database: its exit, which this waits for, is the reply.
      worker.ref();
      const id = ++nextId;
      post({ op: "close" }, id, false);
      await exited;
      const reply = take(id);
      if (reply) settle(reply);
    },
  };
  // Opening fails here, not at the first statement, as with better-sqlite3 in this thread.
  try {
    connection.describe("SELECT 1");
  } catch (error) {
    void worker.terminate();
    throw error;
  }
  return connection;
}

/**
 * What the main thread and the SQLite thread (`sqlite-worker.ts`) say to each other: numbered
 * requests on a MessagePort, one reply each with the same id, and two counters in shared memory
 * (requests posted, replies posted) that each side waits on with `Atomics.wait`. A request with
 * `wake` is awaited instead (a COMMIT: its fsync must not block the event loop): once its reply
 * is posted the worker also posts its id on a second port, whose listener keeps the loop alive.
 */
export const REQUESTS = 0;
export const REPLIES = 1;

/** The transaction-control statements, prepared once by the worker. */
export type ControlOp = "begin" | "commit" | "rollback" | "savepoint" | "release" | "rollbackTo";

/** What the main thread asks; `SqliteRequest` numbers it. */
export type SqliteCall =
  | { op: "describe"; sql: string }
  | { op: "all" | "run"; sql: string; args: unknown[] }
  | { op: "exec"; sql: string }
  | { op: ControlOp | "close" };

export type SqliteRequest = { id: number; wake: boolean } & SqliteCall;

/** `inTransaction`: whether the connection is still in a transaction after the request. */
export type SqliteReply = { id: number; inTransaction: boolean } & (
  | { ok: true; value: unknown }
  | { ok: false; error: { message: string; code?: string } }
);

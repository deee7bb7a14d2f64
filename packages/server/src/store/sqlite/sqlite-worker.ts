/**
 * The SQLite connection's thread (started by `openSqliteConnection`): it owns the better-sqlite3
 * handle and runs one request after another, so a COMMIT's fsync (`synchronous = FULL`) blocks
 * this thread, not the event loop that serves the dispatcher's sockets.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { REPLIES, REQUESTS, type SqliteReply, type SqliteRequest } from "./sqlite-protocol.js";

const { path, pragmas, port, wake, signal } = workerData as {
  path: string;
  pragmas: string[];
  port: MessagePort;
  wake: MessagePort;
  signal: SharedArrayBuffer;
};
const counters = new Int32Array(signal);

let db: Database.Database | undefined;
let opened: unknown;
try {
  db = new Database(path);
  for (const pragma of pragmas) db.pragma(pragma);
} catch (error) {
  opened = error;
}

// Preparing a statement costs more than running it: keep them, keyed by SQL text. The few
// queries with variable IN lists add a handful of entries; the cap bounds any surprise.
const statements = new Map<string, Database.Statement>();
function prepared(connection: Database.Database, text: string): Database.Statement {
  let statement = statements.get(text);
  if (!statement) {
    if (statements.size >= 256) statements.clear();
    statement = connection.prepare(text);
    statements.set(text, statement);
  }
  return statement;
}

function perform(connection: Database.Database, request: SqliteRequest): unknown {
  switch (request.op) {
    case "describe": {
      const statement = prepared(connection, request.sql);
      return { readonly: statement.readonly, reader: statement.reader };
    }
    case "all": {
      const statement = prepared(connection, request.sql);
      if (statement.reader) return statement.all(...request.args);
      statement.run(...request.args);
      return [];
    }
    case "run":
      return prepared(connection, request.sql).run(...request.args).changes;
    case "exec":
      connection.exec(request.sql);
      return undefined;
    case "close":
      connection.close();
      return undefined;
    default:
      prepared(connection, CONTROL[request.op]).run();
      return undefined;
  }
}

const CONTROL = {
  begin: "BEGIN IMMEDIATE",
  commit: "COMMIT",
  rollback: "ROLLBACK",
  savepoint: "SAVEPOINT write",
  release: "RELEASE write",
  rollbackTo: "ROLLBACK TO write",
} as const;

function reply(request: SqliteRequest): SqliteReply {
  try {
    if (!db) throw opened;
    const value = perform(db, request);
    return { id: request.id, ok: true, value, inTransaction: db.open && db.inTransaction };
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    return {
      id: request.id,
      ok: false,
      error: {
        message: typeof message === "string" ? message : String(error),
        ...(typeof code === "string" ? { code } : {}),
      },
      inTransaction: db?.open === true && db.inTransaction,
    };
  }
}

// Requests arrive on the port; the main thread bumps REQUESTS after posting each and waits on
// REPLIES (blocking, for a statement) or for the wake port (a COMMIT).
let seen = 0;
let closing = false;
while (!closing) {
  Atomics.wait(counters, REQUESTS, seen);
  seen = Atomics.load(counters, REQUESTS);
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    const request = next.message as SqliteRequest;
    port.postMessage(reply(request));
    Atomics.add(counters, REPLIES, 1);
    Atomics.notify(counters, REPLIES);
    if (request.wake) wake.postMessage(request.id);
    if (request.op === "close") closing = true;
  }
}
port.close();
wake.close();

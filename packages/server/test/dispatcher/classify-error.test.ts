import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { classifyError } from "../../src/dispatcher/classify-error.js";
import { SsrfBlockedError } from "../../src/dispatcher/ssrf-guard.js";

/** What fetch (undici) throws for `url`: a TypeError whose `cause` holds the socket error. */
async function fetchError(url: string, init?: RequestInit): Promise<unknown> {
  try {
    await fetch(url, init);
  } catch (err) {
    return err;
  }
  assert.fail(`${url} answered`);
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const withCode = (code: string) => Object.assign(new Error(code), { code });

test("a real refused connection through fetch: connection_refused (found in the cause)", async () => {
  const err = await fetchError(`http://127.0.0.1:${await closedPort()}/`);
  assert.equal(classifyError(err), "connection_refused");
});

test("a real reset: the server destroys the socket mid-request", async () => {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    const err = await fetchError(`http://127.0.0.1:${port}/`);
    assert.equal(classifyError(err), "connection_reset");
  } finally {
    server.close();
  }
});

test("a real timeout: AbortSignal.timeout on a server that never answers", async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    const err = await fetchError(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(50) });
    assert.equal(classifyError(err), "timeout");
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

test("an invalid URL", async () => {
  let err: unknown;
  try {
    new URL("not a url");
  } catch (e) {
    err = e;
  }
  assert.equal(classifyError(err), "invalid_url");
});

test("the SSRF guard's refusal, directly or as the cause", () => {
  const blocked = new SsrfBlockedError("169.254.169.254 is link-local");
  assert.equal(classifyError(blocked), "ssrf_blocked");
  assert.equal(classifyError(new TypeError("fetch failed", { cause: blocked })), "ssrf_blocked");
});

test("each code Node and undici use maps to its attempt error code", () => {
  const cases: [string, string][] = [
    ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
    ["UND_ERR_BODY_TIMEOUT", "timeout"],
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"],
    ["ECONNREFUSED", "connection_refused"],
    ["ECONNRESET", "connection_reset"],
    ["EPIPE", "connection_reset"],
    ["UND_ERR_SOCKET", "connection_reset"],
    ["UND_ERR_CLOSED", "connection_reset"],
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["ERR_INVALID_URL", "invalid_url"],
    ["EHOSTUNREACH", "network"],
  ];
  for (const [code, expected] of cases) {
    assert.equal(classifyError(withCode(code)), expected, code);
  }
});

test("AbortError and TimeoutError by name", () => {
  assert.equal(classifyError(new DOMException("aborted", "AbortError")), "timeout");
  assert.equal(classifyError(new DOMException("timed out", "TimeoutError")), "timeout");
});

test("the cause chain is followed five deep, no further", () => {
  const nest = (depth: number) => {
    let err: Error = withCode("ECONNREFUSED");
    for (let i = 0; i < depth; i++) err = new Error(`wrap ${i}`, { cause: err });
    return err;
  };
  assert.equal(classifyError(nest(4)), "connection_refused");
  assert.equal(classifyError(nest(5)), "network");
});

test("anything else, including non-errors, is network", () => {
  for (const value of [undefined, null, "boom", 42, {}, new Error("?")]) {
    assert.equal(classifyError(value), "network", String(value));
  }
});

test("a cycle in the cause chain ends", () => {
  const a = new Error("a") as Error & { cause?: unknown };
  const b = new Error("b", { cause: a });
  a.cause = b;
  assert.equal(classifyError(a), "network");
});

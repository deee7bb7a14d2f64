import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  // After the request arrives: a socket closed before it is written left fetch hanging (Node 20.20).
  const server = createServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
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
    ["ERR_TLS_HANDSHAKE_TIMEOUT", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "tls"],
    ["ERR_INVALID_URL", "invalid_url"],
    ["EHOSTUNREACH", "network"],
  ];
  for (const [code, expected] of cases) {
    assert.equal(classifyError(withCode(code)), expected, code);
  }
});

/** Every certificate error code of the Node.js docs ("tls: X509 certificate error codes"). */
const X509_CODES = [
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "OUT_OF_MEM",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
];

for (const code of X509_CODES) {
  test(`the certificate error ${code} is tls, directly or as fetch's cause`, () => {
    assert.equal(classifyError(withCode(code)), "tls");
    assert.equal(classifyError(new TypeError("fetch failed", { cause: withCode(code) })), "tls");
  });
}

test("a real self-signed certificate through fetch: tls", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "onair-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  execFileSync("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
    ...["-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
  ]);
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_, res) =>
    res.end("ok"),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    const err = await fetchError(`https://127.0.0.1:${port}/`);
    assert.equal(classifyError(err), "tls");
  } finally {
    server.close();
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
  const numericCode = Object.assign(new Error("?"), { code: 42 });
  for (const value of [undefined, null, "boom", 42, {}, new Error("?"), numericCode]) {
    assert.equal(classifyError(value), "network", String(value));
  }
});

test("a cycle in the cause chain ends", () => {
  const a = new Error("a") as Error & { cause?: unknown };
  const b = new Error("b", { cause: a });
  a.cause = b;
  assert.equal(classifyError(a), "network");
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { configSchema } from "../../src/config/schema.js";
import { createSessionStore } from "../../src/dashboard/session-store.js";
import { createSignInRoute } from "../../src/dashboard/sign-in-route.js";
import { createHttpServer } from "../../src/http/router.js";
import { openStore } from "../../src/store/open-store.js";
import type { SessionRepository, Store } from "../../src/store/store.js";
import { readErrorBody } from "../helpers/error-body.js";

/** A clock the test moves by hand. */
function manualClock(start = Date.parse("2026-01-01T00:00:00Z")) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A real SQLite store in a temp dir, closed and removed after the file's tests. */
const stores: { store: Store; dir: string }[] = [];
after(async () => {
  for (const { store, dir } of stores) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
async function sessionRows(clock: { now(): Date }) {
  const dir = mkdtempSync(join(tmpdir(), "onair-sessions-"));
  const store = await openStore(configSchema.parse({ dataDir: dir }), { clock });
  stores.push({ store, dir });
  return store.sessions;
}
/** The same, for a describe body that builds its routes synchronously: calls wait for the store. */
function sessionRowsWhenOpen(clock: { now(): Date }): SessionRepository {
  const rows = sessionRows(clock);
  return {
    create: async (hash, expiresAt) => (await rows).create(hash, expiresAt),
    expiresAt: async (hash) => (await rows).expiresAt(hash),
    delete: async (hash) => (await rows).delete(hash),
    deleteExpired: async (now) => (await rows).deleteExpired(now),
  };
}

describe("dashboard sessions", () => {
  test("a session lives until its expiry, is unknown once revoked, and tokens are random", async () => {
    const clock = manualClock();
    const sessions = createSessionStore({
      clock,
      ttlMs: 60_000,
      sessions: await sessionRows(clock),
    });
    const a = await sessions.create();
    const b = await sessions.create();
    assert.notEqual(a.token, b.token);
    assert.ok(a.token.length >= 43, "256 random bits");
    assert.equal(await sessions.check(a.token), true);
    assert.equal(await sessions.check(`${a.token}x`), false);
    assert.equal(await sessions.check(undefined), false);
    await sessions.revoke(b.token);
    assert.equal(await sessions.check(b.token), false);
    clock.advance(59_999);
    assert.equal(await sessions.check(a.token), true);
    clock.advance(1);
    assert.equal(await sessions.check(a.token), false);
  });
});

describe("POST /dashboard/session", () => {
  const clock = manualClock();
  const sessions = createSessionStore({ clock, sessions: sessionRowsWhenOpen(clock) });
  const { signIn } = createSignInRoute({
    credentials: { secretId: "AKIDtest", secretKey: "testSecretKey" },
    sessions,
    clock,
    secureCookie: false,
    ttlMs: 3_600_000,
  });
  const server = createHttpServer({
    logger: pino({ level: "silent" }),
    routes: [{ method: "POST", path: "/dashboard/session", handler: signIn }],
  });
  let url = "";
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard/session`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  test("the credentials or the SecretKey as a token give an HttpOnly SameSite=Strict cookie", async () => {
    for (const body of [
      { SecretId: "AKIDtest", SecretKey: "testSecretKey" },
      { Token: "testSecretKey" },
    ]) {
      const res = await post(body);
      assert.equal(res.status, 200);
      const cookie = res.headers.get("set-cookie") ?? "";
      assert.match(
        cookie,
        /^onair_session=[A-Za-z0-9_-]{43}; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=3600$/,
      );
      assert.equal(await sessions.check(cookie.split(";")[0]?.split("=")[1]), true);
    }
  });

  test("a cross-site form post and a foreign Origin are refused", async () => {
    const form = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "SecretId=AKIDtest&SecretKey=testSecretKey",
    });
    assert.equal(form.status, 400);
    const foreign = await post(
      { SecretId: "AKIDtest", SecretKey: "testSecretKey" },
      { origin: "http://evil.example" },
    );
    assert.equal(foreign.status, 401);
    assert.equal(foreign.headers.get("set-cookie"), null);
  });

  test("after 10 failures in a minute every attempt is refused until the minute ends", async () => {
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) {
      const res = await post({ SecretId: "AKIDtest", SecretKey: `guess${i}` });
      assert.equal(res.status, 401);
      assert.equal((await readErrorBody(res)).code, "ONAIR_ERR_AUTH_SIGNATURE");
    }
    const locked = await post({ SecretId: "AKIDtest", SecretKey: "testSecretKey" });
    assert.equal(locked.status, 429);
    clock.advance(60_000);
    assert.equal((await post({ SecretId: "AKIDtest", SecretKey: "testSecretKey" })).status, 200);
  });
});

/** One sign-in POST over a socket bound to `localAddress` (loopback has all of 127/8). */
function signInFrom(
  port: number,
  localAddress: string,
  body: unknown,
): Promise<{ status: number; code: string | undefined; retryAfter: string | undefined }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/dashboard/session",
        localAddress,
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            error?: { code: string };
          };
          resolve({
            status: res.statusCode ?? 0,
            code: parsed.error?.code,
            retryAfter: res.headers["retry-after"],
          });
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

describe("sign-in throttle is per client (issue 11, defect 6)", () => {
  const clock = manualClock();
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "warn" },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const { signIn } = createSignInRoute({
    credentials: { secretId: "AKIDtest", secretKey: "testSecretKey-0123456789" },
    sessions: createSessionStore({ clock, sessions: sessionRowsWhenOpen(clock) }),
    clock,
    secureCookie: false,
    ttlMs: 3_600_000,
    logger,
  });
  const server = createHttpServer({
    logger,
    routes: [{ method: "POST", path: "/dashboard/session", handler: signIn }],
  });
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("an attacker at 127.0.0.2 is throttled; the admin at 127.0.0.1 still signs in", async () => {
    const defaults = configSchema.parse({}).authThrottle;
    const guesses = defaults.maxFailuresPerClient + 10;
    const statuses: number[] = [];
    for (let i = 0; i < guesses; i++) {
      // Varying SecretIds, so only the per-address limit can stop them.
      const res = await signInFrom(port, "127.0.0.2", {
        SecretId: `AKIDguess${i}`,
        SecretKey: `guess${i}`,
      });
      statuses.push(res.status);
    }
    assert.deepEqual(
      statuses.slice(0, defaults.maxFailuresPerClient),
      Array(defaults.maxFailuresPerClient).fill(401),
    );
    assert.ok(statuses.slice(defaults.maxFailuresPerClient).every((s) => s === 429));

    // Even the right credentials are refused from the blocked address (no guessing oracle)…
    const blocked = await signInFrom(port, "127.0.0.2", {
      SecretId: "AKIDtest",
      SecretKey: "testSecretKey-0123456789",
    });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.code, "ONAIR_ERR_AUTH_THROTTLED");
    assert.ok(Number(blocked.retryAfter) >= 1);

    // …while the admin from another address gets in, at once and repeatedly.
    for (let i = 0; i < 3; i++) {
      const admin = await signInFrom(port, "127.0.0.1", {
        SecretId: "AKIDtest",
        SecretKey: "testSecretKey-0123456789",
      });
      assert.equal(admin.status, 200);
    }

    // Logged at warn with the client address and the reason, never the guessed secret.
    const failures = lines.filter((l) => l.msg === "authentication failed");
    assert.equal(failures.length, defaults.maxFailuresPerClient);
    assert.ok(failures.every((l) => l.clientIp === "127.0.0.2" && l.surface === "dashboard"));
    assert.ok(lines.some((l) => l.msg === "client blocked after repeated authentication failures"));
    assert.ok(!JSON.stringify(lines).includes("guess"), "no guessed secret or SecretId in the log");

    // The block ends; a second block of the same address lasts twice as long (back-off).
    clock.advance(defaults.blockMs);
    for (let i = 0; i < defaults.maxFailuresPerClient; i++) {
      await signInFrom(port, "127.0.0.2", { SecretId: `AKIDagain${i}`, SecretKey: "x" });
    }
    clock.advance(defaults.blockMs);
    assert.equal((await signInFrom(port, "127.0.0.2", { SecretKey: "x" })).status, 429);
    clock.advance(defaults.blockMs);
    assert.equal((await signInFrom(port, "127.0.0.2", { SecretKey: "x" })).status, 401);
  });
});

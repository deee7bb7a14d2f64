import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { createSessionStore } from "../../src/dashboard/session-store.js";
import { createSignInRoute } from "../../src/dashboard/sign-in-route.js";
import { createHttpServer } from "../../src/http/router.js";

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

describe("dashboard sessions", () => {
  test("a session lives until its expiry, is unknown once revoked, and tokens are random", () => {
    const clock = manualClock();
    const sessions = createSessionStore({ clock, ttlMs: 60_000 });
    const a = sessions.create();
    const b = sessions.create();
    assert.notEqual(a.token, b.token);
    assert.ok(a.token.length >= 43, "256 random bits");
    assert.equal(sessions.check(a.token), true);
    assert.equal(sessions.check(`${a.token}x`), false);
    assert.equal(sessions.check(undefined), false);
    sessions.revoke(b.token);
    assert.equal(sessions.check(b.token), false);
    clock.advance(59_999);
    assert.equal(sessions.check(a.token), true);
    clock.advance(1);
    assert.equal(sessions.check(a.token), false);
  });
});

describe("POST /dashboard/session", () => {
  const clock = manualClock();
  const sessions = createSessionStore({ clock });
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
      assert.equal(sessions.check(cookie.split(";")[0]?.split("=")[1]), true);
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
      assert.equal(
        ((await res.json()) as { Error: { Code: string } }).Error.Code,
        "AuthFailure.SignatureFailure",
      );
    }
    const locked = await post({ SecretId: "AKIDtest", SecretKey: "testSecretKey" });
    assert.equal(locked.status, 429);
    clock.advance(60_000);
    assert.equal((await post({ SecretId: "AKIDtest", SecretKey: "testSecretKey" })).status, 200);
  });
});

import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { OnAir } from "../../src/app.js";
import { loadConfig } from "../../src/config/load-config.js";
import { configSchema } from "../../src/config/schema.js";
import { OnAirError } from "../../src/errors.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

/** One POST over a socket bound to `localAddress` (loopback has all of 127/8). */
function postFrom(
  port: number,
  localAddress: string,
  path: string,
  headers: Record<string, string>,
  body = "{}",
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path,
        localAddress,
        agent: false,
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("separate secrets for the API, intake and hooks (issue 11, defect 8)", () => {
  let node: TestOnAir;
  let onair: OnAir;
  let dataDir: string;
  const { logger, lines } = captureLogs("warn");
  let secrets: Record<string, string>;

  before(async () => {
    node = await startTestOnAir({ generatedSecrets: true, logger });
    ({ onair, dataDir } = node);
    secrets = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
  });
  after(() => node.stop());

  test("first start generates five distinct secrets into one 0600 file", () => {
    assert.deepEqual(Object.keys(secrets).sort(), [
      "filesSigningKey",
      "hookToken",
      "intakeToken",
      "secretId",
      "secretKey",
    ]);
    assert.equal(new Set(Object.values(secrets)).size, 5);
    for (const value of Object.values(secrets)) assert.ok(value.length >= 16);
    assert.equal(statSync(join(dataDir, "credentials.json")).mode & 0o777, 0o600);
  });

  test("the SecretKey opens neither the intake nor the hooks; their own tokens do", async () => {
    const port = onair.httpPort;
    const bearer = (token: string | undefined) => ({ authorization: `Bearer ${token}` });
    assert.equal(await postFrom(port, "127.0.0.1", "/v1/events", bearer(secrets.secretKey)), 401);
    assert.equal(await postFrom(port, "127.0.0.1", "/v1/events", bearer(secrets.hookToken)), 401);
    // Past the bearer check (400: the body is not an event).
    assert.equal(await postFrom(port, "127.0.0.1", "/v1/events", bearer(secrets.intakeToken)), 400);
    const hook = (token: string | undefined) =>
      `/hooks/srs?token=${encodeURIComponent(token ?? "")}`;
    assert.equal(await postFrom(port, "127.0.0.1", hook(secrets.secretKey), {}), 401);
    assert.equal(await postFrom(port, "127.0.0.1", hook("wrong-hook-token"), {}), 401);
    assert.equal(
      await postFrom(
        port,
        "127.0.0.1",
        hook(secrets.hookToken),
        {},
        JSON.stringify({ action: "on_play", app: "live", stream: "x" }),
      ),
      200,
    );
  });

  test("failures from one address are logged and throttled there; another address still gets in", async () => {
    const port = onair.httpPort;
    const limit = configSchema.parse({}).authThrottle.maxFailuresPerClient;
    lines.length = 0;
    const statuses: number[] = [];
    for (let i = 0; i < limit + 5; i++) {
      // Alternating surfaces: one limiter counts them all for the address.
      const path = i % 2 === 0 ? "/v1/events" : `/hooks/srs?token=guess${i}`;
      statuses.push(await postFrom(port, "127.0.0.9", path, { authorization: `Bearer guess${i}` }));
    }
    assert.deepEqual(statuses.slice(0, limit), Array(limit).fill(401));
    assert.deepEqual(statuses.slice(limit), Array(5).fill(429));
    // Blocked: even the right token is refused from that address…
    const right = { authorization: `Bearer ${secrets.intakeToken}` };
    assert.equal(await postFrom(port, "127.0.0.9", "/v1/events", right), 429);
    // …but not from another one.
    assert.equal(await postFrom(port, "127.0.0.1", "/v1/events", right), 400);

    const failures = lines.filter((l) => l.msg === "authentication failed");
    assert.equal(failures.length, limit);
    assert.ok(failures.every((l) => l.clientIp === "127.0.0.9"));
    assert.deepEqual([...new Set(failures.map((l) => l.surface))].sort(), ["hook", "intake"]);
    assert.ok(lines.some((l) => l.msg === "client blocked after repeated authentication failures"));
    assert.ok(!JSON.stringify(lines).includes("guess"), "no presented token in the log");
  });

  test("a failed API signature is logged at warn with the address", async () => {
    lines.length = 0;
    const status = await postFrom(onair.httpPort, "127.0.0.10", "/", {
      "x-tc-action": "DescribeLiveDomains",
      "x-tc-version": "2018-08-01",
    });
    assert.equal(status, 200);
    const failure = lines.find((l) => l.msg === "authentication failed");
    assert.equal(failure?.clientIp, "127.0.0.10");
    assert.equal(failure?.surface, "api");
    assert.match(String(failure?.reason), /AuthFailure\.InvalidAuthorization/);
  });
});

test("a SecretKey, intakeToken or hookToken under 16 characters is a one-line config error", () => {
  for (const key of ["secretKey", "intakeToken", "hookToken"]) {
    assert.throws(
      () => loadConfig({ env: {}, flags: { secretId: "AKIDx", [key]: "x" } }),
      (err: unknown) => {
        assert.ok(err instanceof OnAirError && err.code === "ONAIR_ERR_CONFIG");
        const problems = err.message.split("\n").slice(1);
        assert.equal(problems.length, 1, err.message);
        assert.match(problems[0] ?? "", new RegExp(`^\\s+${key}: must be at least 16 characters`));
        return true;
      },
    );
  }
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { routeCallbacks } from "../helpers/callback-route.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { pushBody } from "./push-body.js";

/**
 * Five deliveries to a receiver that refuses connections (ECONNREFUSED, issue 14): the log has
 * one line that says the endpoint is failing, its error class and the next attempt's time (not
 * five, not zero), and `onair deliveries list`/`show` print the next attempt's time.
 */

const bin = fileURLToPath(new URL("../../../bin/onair.js", import.meta.url));
const run = promisify(execFile);

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("failed deliveries are visible", { timeout: 60_000 }, () => {
  let node: TestOnAir;
  const logs = captureLogs("info");
  let url: string;
  const ids: string[] = [];

  before(async () => {
    node = await startTestOnAir({
      logger: logs.logger,
      flags: { dispatcher: { pollIntervalMs: 50 } },
    });
    url = `http://127.0.0.1:${await closedPort()}/callbacks`;
    await routeCallbacks(node.onair.store, {
      domainName: "fail.example",
      urls: { StreamBeginNotifyUrl: url },
      callbackKey: "FailKey",
    });
    for (let i = 0; i < 5; i++) {
      const { deliveryIds } = await node.onair.events.commit({
        body: pushBody("fail.example", i, 9_000_000_000_000_000_000n),
        domainName: "fail.example",
        appName: "live",
        streamId: `s${i}`,
        source: "intake",
      });
      ids.push(...deliveryIds);
    }
  });
  after(() => node?.stop());

  test("one warn line for five refused deliveries, with the error class and the next attempt", async () => {
    const attempts = await waitFor("five first attempts", async () => {
      const all = await Promise.all(ids.map((id) => node.onair.store.deliveries.get(id)));
      return all.every((d) => d && d.attempts >= 1) ? all : null;
    });
    assert.equal(attempts.length, 5);
    const failing = logs.lines.filter((l) => String(l.msg).startsWith("callback endpoint"));
    assert.equal(failing.length, 1, JSON.stringify(failing));
    const [line] = failing;
    assert.equal(line?.level, 40);
    assert.equal(line?.url, url);
    assert.equal(line?.error, "connection_refused");
    assert.match(String(line?.nextAttemptAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(String(line?.msg), /failing \(connection_refused\): next attempt at \d{4}-/);
  });

  test("deliveries list and show print the next attempt's time", async () => {
    const env = {
      ...process.env,
      ONAIR_SECRET_ID: node.secretId,
      ONAIR_SECRET_KEY: node.secretKey,
    };
    const list = await run(process.execPath, [bin, "deliveries", "list", "--url", node.httpUrl], {
      env,
      timeout: 20_000,
    });
    const lines = list.stdout.trim().split("\n");
    assert.equal(lines.length, 5, list.stdout);
    for (const l of lines) assert.match(l, /pending .* next attempt \d{4}-\d\d-\d\dT/);
    const show = await run(
      process.execPath,
      [bin, "deliveries", "show", ids[0] ?? "", "--url", node.httpUrl],
      { env, timeout: 20_000 },
    );
    assert.match(show.stdout, /^ {2}next attempt: \d{4}-\d\d-\d\dT/m);
    assert.match(show.stdout, /#1 .* connection_refused/);
  });
});

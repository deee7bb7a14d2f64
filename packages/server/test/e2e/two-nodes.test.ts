import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pg from "pg";
import { TEST_DATABASE_URL } from "../helpers/test-database.js";
import { startNode, waitUntilAllDelivered } from "./node-process.js";
import { startReceiver } from "./receiver.js";

test("two nodes on one PostgreSQL share a load; one killed mid-load, the other takes over", {
  timeout: 180_000,
}, async () => {
  const schema = `onair_nodes_${randomBytes(6).toString("hex")}`;
  const databaseUrl = `${TEST_DATABASE_URL}?schema=${schema}`;
  const dirs = [mkdtempSync(join(tmpdir(), "onair-a-")), mkdtempSync(join(tmpdir(), "onair-b-"))];
  // A slow receiver keeps a backlog, so the kill lands with work leased and pending.
  const receiver = await startReceiver({ key: "CrashKey", script: "delay:200" });
  const acked = new Set<string>();
  const children: { kill(signal: "SIGKILL"): boolean }[] = [];
  try {
    const common = { CRASH_RECEIVER_URL: receiver.url, CRASH_DATABASE_URL: databaseUrl };
    const a = startNode(
      { ...common, CRASH_DATA_DIR: dirs[0]!, CRASH_NODE_ID: "node-a", CRASH_EMIT: "3000" },
      acked,
    );
    children.push(a.child);
    await a.started;
    const b = startNode({ ...common, CRASH_DATA_DIR: dirs[1]!, CRASH_NODE_ID: "node-b" }, acked);
    children.push(b.child);
    await b.started;
    await a.emitted;
    await receiver.waitFor(800, 60_000);
    const byNode = (from: number) => {
      const counts = { a: 0, b: 0 };
      for (const r of receiver.received.slice(from)) {
        if (r.userAgent?.includes("node-a")) counts.a++;
        if (r.userAgent?.includes("node-b")) counts.b++;
      }
      return counts;
    };
    const before = byNode(0);
    assert.ok(
      before.a > 0 && before.b > 0,
      `both nodes delivered before the kill: ${JSON.stringify(before)}`,
    );
    a.child.kill("SIGKILL");
    await new Promise((resolve) => a.child.once("exit", resolve));
    const killedAt = receiver.received.length;

    await waitUntilAllDelivered(acked, receiver.received);
    const after = byNode(killedAt);
    assert.ok(after.b > 0, "the surviving node delivered the rest");
    b.child.kill("SIGTERM");
    await new Promise((resolve) => b.child.once("exit", resolve));
    process.stdout.write(
      `# two nodes: ${acked.size} acknowledged; before kill a=${before.a} b=${before.b}; after kill b=${after.b}; ${receiver.received.length - new Set(receiver.received.map((r) => r.webhookId)).size} duplicates\n`,
    );
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await receiver.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});

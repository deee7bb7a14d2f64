import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startNode, waitUntilAllDelivered } from "./node-process.js";
import { startReceiver } from "./receiver.js";

test("kill -9 while 10,000 events are in flight: after restart every acknowledged event is delivered", {
  timeout: 180_000,
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-crash-"));
  const receiver = await startReceiver({ key: "CrashKey" });
  const acked = new Set<string>();
  try {
    const env = { CRASH_DATA_DIR: dataDir, CRASH_RECEIVER_URL: receiver.url };
    const first = startNode({ ...env, CRASH_EMIT: "10000" }, acked);
    await first.started;
    // Kill while deliveries are in full flow: some delivered, most still pending or in flight.
    await receiver.waitFor(1500, 60_000);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    const deliveredBeforeCrash = new Set(receiver.received.map((r) => r.webhookId)).size;
    assert.ok(
      acked.size > deliveredBeforeCrash,
      `killed with work in flight (${acked.size} acked, ${deliveredBeforeCrash} delivered)`,
    );

    const second = startNode(env, acked);
    await second.started;
    await waitUntilAllDelivered(acked, receiver.received);
    second.child.kill("SIGTERM");
    await new Promise((resolve) => second.child.once("exit", resolve));
    const unique = new Set(receiver.received.map((r) => r.webhookId));
    const duplicates = receiver.received.length - unique.size;
    assert.ok(
      receiver.received.every((r) => r.verified),
      "every request verified",
    );
    process.stdout.write(
      `# crash: ${acked.size} acknowledged, ${deliveredBeforeCrash} delivered before kill -9, ${unique.size} unique delivered, ${duplicates} duplicates re-sent\n`,
    );
  } finally {
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * An OnAir node for the crash test, in its own process so the test can kill -9 it. With
 * CRASH_EMIT=N it configures a template and emits N events, printing the delivery ids of every
 * event whose emit resolved (committed and acknowledged); it then keeps delivering until killed.
 */

import { routeCallbacks } from "../helpers/callback-route.js";
import { startTestOnAir } from "../helpers/test-onair.js";
import { pushBody } from "./push-body.js";

const dataDir = process.env.CRASH_DATA_DIR!;
const receiverUrl = process.env.CRASH_RECEIVER_URL!;
const emit = Number(process.env.CRASH_EMIT ?? "0");
const databaseUrl = process.env.CRASH_DATABASE_URL;

const { onair } = await startTestOnAir({
  rtmp: true,
  dataDir,
  flags: {
    ...(databaseUrl ? { databaseUrl, nodeId: process.env.CRASH_NODE_ID ?? "node" } : {}),
    dispatcher: { leaseMs: 2000, pollIntervalMs: 100, concurrency: 64 },
  },
});
process.stdout.write("started\n");

if (emit > 0) {
  await routeCallbacks(onair.store, {
    name: "crash",
    urls: { StreamBeginNotifyUrl: receiverUrl },
    callbackKey: "CrashKey",
    retryPolicy: { maxRetries: 100, intervalMs: 200, timeoutMs: 5000, jitter: 0 },
    domainName: "crash.example",
    appName: "live",
  });
  let batch: string[] = [];
  // Emits run 50 at a time, as concurrent intake requests would: each acknowledges after its
  // group commit, and the backlog outgrows delivery, so the kill lands with work in flight.
  for (let start = 0; start < emit; start += 50) {
    const results = await Promise.all(
      Array.from({ length: Math.min(50, emit - start) }, (_, k) => {
        const i = start + k;
        return onair.events.commit({
          body: pushBody("crash.example", i, 7_000_000_000_000_000_000n),
          domainName: "crash.example",
          appName: "live",
          streamId: `s${i}`,
          source: "intake",
        });
      }),
    );
    for (const { deliveryIds } of results) batch.push(...deliveryIds);
    if (batch.length >= 200) {
      process.stdout.write(`acked ${batch.join(" ")}\n`);
      batch = [];
    }
  }
  process.stdout.write(`acked ${batch.join(" ")}\nemitted all\n`);
}

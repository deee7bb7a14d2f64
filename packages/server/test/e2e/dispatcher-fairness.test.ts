import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { describe, test } from "node:test";
import type { RetryPolicy } from "../../src/domain/types.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import { startTestDispatcher } from "../helpers/test-dispatcher.js";
import { waitFor } from "../helpers/wait-for.js";
import { pushBody } from "./push-body.js";
import { startReceiver } from "./receiver.js";

const KEY = "FairnessKey";
/** Far longer than the test runs: a hanging attempt must not need to time out to free a slot. */
const SLOW: RetryPolicy = { maxRetries: 0, intervalMs: 100, timeoutMs: 120_000, jitter: 0 };
const PER_ORIGIN = 16;

/** A receiver that accepts connections, reads requests and never answers. */
async function startHangingReceiver(): Promise<{
  url: string;
  requests(): number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (chunk) => {
      requests += chunk.toString("latin1").split("POST /").length - 1;
    });
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hang`,
    requests: () => requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const drivers = [
  { name: "SQLite", postgres: false },
  { name: "PostgreSQL", postgres: true },
];

describe("delivery fairness per origin (issue 11, defect 3)", () => {
  for (const driver of drivers) {
    test(`${driver.name}: 200 deliveries to a receiver that never answers do not delay 20 to a healthy one`, async () => {
      const hanging = await startHangingReceiver();
      const healthy = await startReceiver({ key: KEY });
      const d = await startTestDispatcher({
        postgres: driver.postgres,
        nodeId: "fair",
        start: false,
        flags: {
          dispatcher: { pollIntervalMs: 30, leaseMs: 300_000, perOriginConcurrency: PER_ORIGIN },
        },
      });
      const { store, dispatcher, committer } = d;
      try {
        for (const [appName, url] of [
          ["hang", hanging.url],
          ["ok", healthy.url],
        ] as const) {
          await routeCallbacks(store, {
            name: appName,
            urls: { StreamBeginNotifyUrl: url },
            callbackKey: KEY,
            retryPolicy: SLOW,
            domainName: "d.example",
            appName,
          });
        }
        const emit = async (appName: string, i: number) => {
          const body = pushBody("d.example", i, 9_100_000_000_000_000_000n);
          body.appname = appName;
          const { deliveryIds } = await committer.commit({
            body,
            domainName: "d.example",
            appName,
            streamId: `s${i}`,
            source: "intake",
          });
          return deliveryIds[0]!;
        };
        dispatcher.start();
        const hangIds: string[] = [];
        for (let i = 0; i < 200; i++) hangIds.push(await emit("hang", i));
        await waitFor(
          "the hanging receiver to hold its share",
          () => hanging.requests() >= PER_ORIGIN,
          { timeoutMs: 30_000 },
        );

        const okIds: string[] = [];
        for (let i = 0; i < 20; i++) okIds.push(await emit("ok", 1000 + i));
        await healthy.waitFor(20, 60_000);
        await waitFor(
          "the healthy deliveries to be recorded",
          async () =>
            (await Promise.all(okIds.map((id) => store.deliveries.get(id)))).every(
              (d) => d?.status === "delivered",
            ),
          { timeoutMs: 30_000 },
        );

        // Order, not time: every healthy delivery arrived while the hanging attempts were still
        // in flight; not one of them had ended (timed out) to make room.
        const hangAttempts = await Promise.all(hangIds.map((id) => store.deliveries.attempts(id)));
        assert.equal(
          hangAttempts.flat().length,
          0,
          "no hanging attempt ended before the healthy ones",
        );
        const leased = (await Promise.all(hangIds.map((id) => store.deliveries.get(id)))).filter(
          (d) => d?.leaseOwner,
        );
        assert.equal(leased.length, PER_ORIGIN, "the stuck origin holds exactly its own share");
        assert.equal(hanging.requests(), PER_ORIGIN);
        assert.ok(healthy.received.every((r) => r.verified));
      } finally {
        await hanging.close();
        await d.close();
        await healthy.stop();
      }
    });
  }
});

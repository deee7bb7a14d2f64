import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import pg from "pg";
import { pino } from "pino";
import { loadConfig } from "../../src/config/load-config.js";
import { createDispatcher } from "../../src/dispatcher/dispatcher.js";
import { systemClock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import type { RetryPolicy } from "../../src/domain/types.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createNodeEvents } from "../../src/observability/node-events.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { TEST_DATABASE_URL } from "../helpers/test-database.js";
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

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const drivers: {
  name: string;
  open(dataDir: string): Promise<{ store: Store; drop(): Promise<void> }>;
}[] = [
  {
    name: "SQLite",
    async open(dataDir) {
      return {
        store: createSqliteStore({ path: join(dataDir, "onair.db") }),
        drop: async () => {},
      };
    },
  },
  {
    name: "PostgreSQL",
    async open() {
      const schema = `onair_fair_${randomBytes(6).toString("hex")}`;
      return {
        store: createPostgresStore({ connectionString: TEST_DATABASE_URL, schema }),
        async drop() {
          const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
          await admin.connect();
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
        },
      };
    },
  },
];

describe("delivery fairness per origin (issue 11, defect 3)", () => {
  for (const driver of drivers) {
    test(`${driver.name}: 200 deliveries to a receiver that never answers do not delay 20 to a healthy one`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "onair-fair-"));
      const hanging = await startHangingReceiver();
      const healthy = await startReceiver({ key: KEY });
      const { store, drop } = await driver.open(dataDir);
      await store.migrate();
      const config = loadConfig({
        env: {},
        flags: {
          dataDir,
          dispatcher: { pollIntervalMs: 30, leaseMs: 300_000, perOriginConcurrency: PER_ORIGIN },
        },
      });
      const nodeEvents = createNodeEvents((_name, err) => {
        throw err;
      });
      const dispatcher = createDispatcher({
        store,
        nodeEvents,
        config,
        clock: systemClock,
        logger: pino({ level: "silent" }),
        metrics: createMetrics({ queue: store.deliveries, clock: systemClock }),
        nodeId: "fair",
      });
      const committer = createEventCommitter({
        store,
        config,
        clock: systemClock,
        newId,
        nodeEvents,
      });
      try {
        for (const [appName, url] of [
          ["hang", hanging.url],
          ["ok", healthy.url],
        ] as const) {
          const template = await store.templates.create({
            name: appName,
            description: "",
            urls: { StreamBeginNotifyUrl: url },
            recordExceptionLevels: [],
            callbackKey: KEY,
            previousKeys: [],
            retryPolicy: SLOW,
            perStreamOrdering: false,
          });
          await store.rules.upsert({ domainName: "d.example", appName, templateId: template.id });
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
        await until(
          "the hanging receiver to hold its share",
          () => hanging.requests() >= PER_ORIGIN,
        );

        const okIds: string[] = [];
        for (let i = 0; i < 20; i++) okIds.push(await emit("ok", 1000 + i));
        await healthy.waitFor(20, 60_000);
        await until("the healthy deliveries to be recorded", async () =>
          (await Promise.all(okIds.map((id) => store.deliveries.get(id)))).every(
            (d) => d?.status === "delivered",
          ),
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
        await dispatcher.stop();
        await healthy.stop();
        await store.close();
        await drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});

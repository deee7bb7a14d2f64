import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import pg from "pg";
import { pino } from "pino";
import { startOnAir } from "../../src/app.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createDispatcher } from "../../src/dispatcher/dispatcher.js";
import { systemClock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createNodeEvents } from "../../src/observability/node-events.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { pushBody } from "../e2e/push-body.js";
import { startReceiver } from "../e2e/receiver.js";
import { TEST_DATABASE_URL } from "../helpers/test-database.js";

const KEY = "ShutdownLoadKey";

/**
 * Regression (issue 11, defect 11f): during shutdown a claim still running when the dispatcher
 * stopped went on after the store closed ("The database connection is not open"). OnAir is
 * stopped while events are emitted and delivered; its pino output is captured and must hold no
 * error.
 */
async function stopUnderLoad(databaseUrl: string | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-shutdown-"));
  const receiver = await startReceiver({ key: KEY });
  const lines: Record<string, unknown>[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const onair = await startOnAir(
    loadConfig({
      env: {},
      flags: {
        httpPort: 0,
        httpHost: "127.0.0.1",
        dataDir,
        ...(databaseUrl ? { databaseUrl } : {}),
        secretId: "AKIDshutdown",
        secretKey: "shutdownSecretKey-0123456789abcdef",
        ingest: { enabled: false },
        dispatcher: { pollIntervalMs: 10, batchSize: 5, concurrency: 8 },
      },
    }),
    { logger: pino({ level: "debug" }, capture) },
  );
  try {
    const template = await onair.store.templates.create({
      name: "load",
      description: "",
      urls: { StreamBeginNotifyUrl: receiver.url },
      recordExceptionLevels: [],
      callbackKey: KEY,
      previousKeys: [],
      retryPolicy: null,
      perStreamOrdering: false,
    });
    await onair.store.rules.upsert({
      domainName: "d.example",
      appName: "",
      templateId: template.id,
    });
    let emitting = true;
    let emitted = 0;
    const load = (async () => {
      while (emitting) {
        await Promise.all(
          Array.from({ length: 8 }, () => {
            const i = emitted++;
            return onair.events
              .commit({
                body: pushBody("d.example", i, 7_000_000_000_000_000_000n),
                domainName: "d.example",
                appName: "live",
                streamId: `s${i}`,
                source: "intake",
              })
              .catch(() => undefined); // emits racing the close are the test's own
          }),
        );
      }
    })();
    await receiver.waitFor(50, 20_000);
    // The HTTP server closes before the store in a real shutdown: no emit races the close.
    emitting = false;
    await load;
    await onair.stop();
    const errors = lines.filter((l) => Number(l.level) >= 50);
    assert.deepEqual(
      errors.map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message}`),
      [],
      "no error logged during shutdown",
    );
    assert.ok(lines.some((l) => l.msg === "OnAir stopped"));
  } finally {
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test("stopping under load on SQLite logs no error (no claim after the store closed)", async () => {
  for (let round = 0; round < 5; round++) await stopUnderLoad(undefined);
});

test("stopping under load on PostgreSQL logs no error (no claim after the store closed)", async () => {
  const schema = `onair_shutdown_${randomBytes(6).toString("hex")}`;
  try {
    for (let round = 0; round < 5; round++) {
      await stopUnderLoad(`${TEST_DATABASE_URL}?schema=${schema}_${round}`);
    }
  } finally {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    for (let round = 0; round < 5; round++) {
      await client.query(`DROP SCHEMA IF EXISTS ${schema}_${round} CASCADE`);
    }
    await client.end();
  }
});

test("a claim that is still running when the dispatcher stops is awaited, and its rows left alone", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-shutdown-claim-"));
  const receiver = await startReceiver({ key: KEY });
  const lines: Record<string, unknown>[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    env: {},
    flags: { dataDir, dispatcher: { pollIntervalMs: 60_000 } },
  });
  const store = createSqliteStore({ path: join(dataDir, "onair.db") });
  await store.migrate();
  try {
    const template = await store.templates.create({
      name: "t",
      description: "",
      urls: { StreamBeginNotifyUrl: receiver.url },
      recordExceptionLevels: [],
      callbackKey: KEY,
      previousKeys: [],
      retryPolicy: null,
      perStreamOrdering: false,
    });
    await store.rules.upsert({ domainName: "d.example", appName: "", templateId: template.id });
    for (let round = 0; round < 20; round++) {
      const nodeEvents = createNodeEvents((_name, err) => {
        throw err;
      });
      const dispatcher = createDispatcher({
        store,
        nodeEvents,
        config,
        clock: systemClock,
        logger: pino({ level: "debug" }, capture),
        metrics: createMetrics({ queue: store.deliveries, clock: systemClock }),
        nodeId: `round-${round}`,
      });
      // Not started: the emits only queue deliveries.
      const committer = createEventCommitter({
        store,
        config,
        clock: systemClock,
        newId,
        nodeEvents,
      });
      for (let i = 0; i < 5; i++) {
        await committer.commit({
          body: pushBody("d.example", round * 10 + i, 6_000_000_000_000_000_000n),
          domainName: "d.example",
          appName: "live",
          streamId: `s${i}`,
          source: "intake",
        });
      }
      // The first loop's claim is in flight (the SQLite driver commits on the next turn) when
      // shutdown begins, as when SIGTERM arrives mid-claim.
      dispatcher.start();
      await dispatcher.stop();
    }
  } finally {
    await store.close();
  }
  // Anything the stopped dispatchers still ran would now hit the closed database.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await receiver.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const errors = lines.filter((l) => Number(l.level) >= 50);
  assert.deepEqual(
    errors.map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message}`),
    [],
  );
  assert.equal(receiver.received.length, 0, "a stopped dispatcher sends nothing");
});

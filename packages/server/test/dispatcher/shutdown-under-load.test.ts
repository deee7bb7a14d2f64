import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
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
import { routeCallbacks } from "../helpers/callback-route.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir } from "../helpers/test-onair.js";
import { quietPeriod } from "../helpers/wait-for.js";

const KEY = "ShutdownLoadKey";

/**
 * Regression (issue 11, defect 11f): during shutdown a claim still running when the dispatcher
 * stopped went on after the store closed ("The database connection is not open"). OnAir is
 * stopped while events are emitted and delivered; its pino output is captured and must hold no
 * error.
 */
async function stopUnderLoad(postgres: boolean) {
  const receiver = await startReceiver({ key: KEY });
  const { logger, lines } = captureLogs("debug");
  const node = await startTestOnAir({
    postgres,
    logger,
    flags: { dispatcher: { pollIntervalMs: 10, batchSize: 5, concurrency: 8 } },
  });
  const { onair } = node;
  try {
    await routeCallbacks(onair.store, {
      name: "load",
      urls: { StreamBeginNotifyUrl: receiver.url },
      callbackKey: KEY,
      domainName: "d.example",
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
    await node.stop();
    const errors = lines.filter((l) => Number(l.level) >= 50);
    assert.deepEqual(
      errors.map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message}`),
      [],
      "no error logged during shutdown",
    );
    assert.ok(lines.some((l) => l.msg === "OnAir stopped"));
  } finally {
    await node.stop();
    await receiver.stop();
  }
}

test("stopping under load on SQLite logs no error (no claim after the store closed)", async () => {
  for (let round = 0; round < 5; round++) await stopUnderLoad(false);
});

test("stopping under load on PostgreSQL logs no error (no claim after the store closed)", async () => {
  for (let round = 0; round < 5; round++) await stopUnderLoad(true);
});

test("a claim that is still running when the dispatcher stops is awaited, and its rows left alone", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-shutdown-claim-"));
  const receiver = await startReceiver({ key: KEY });
  const { logger, lines } = captureLogs("debug");
  const config = loadConfig({
    env: {},
    flags: { dataDir, dispatcher: { pollIntervalMs: 60_000 } },
  });
  const store = createSqliteStore({ path: join(dataDir, "onair.db") });
  await store.migrate();
  try {
    await routeCallbacks(store, {
      name: "t",
      urls: { StreamBeginNotifyUrl: receiver.url },
      callbackKey: KEY,
      domainName: "d.example",
    });
    for (let round = 0; round < 20; round++) {
      const nodeEvents = createNodeEvents((_name, err) => {
        throw err;
      });
      const dispatcher = createDispatcher({
        store,
        nodeEvents,
        config,
        clock: systemClock,
        logger,
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
  await quietPeriod(500);
  await receiver.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const errors = lines.filter((l) => Number(l.level) >= 50);
  assert.deepEqual(
    errors.map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message}`),
    [],
  );
  assert.equal(receiver.received.length, 0, "a stopped dispatcher sends nothing");
});

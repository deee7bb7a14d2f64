import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config/load-config.js";
import { createDispatcher } from "../../src/dispatcher/dispatcher.js";
import { createHistorySweep } from "../../src/dispatcher/history-sweep.js";
import type { Clock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createNodeEvents } from "../../src/observability/node-events.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { startReceiver } from "../e2e/receiver.js";
import { testLogger } from "../helpers/log-capture.js";
import { dropSchemas, TEST_DATABASE_URL, uniqueSchema } from "../helpers/test-database.js";
import { waitFor } from "../helpers/wait-for.js";

const DAY = 86_400_000;
const KEY = "SweepKey";
const OLD = 600;
const policy = { maxRetries: 0, intervalMs: 1000, timeoutMs: 5000, jitter: 0 };

/** The machine's time shifted by `offsetMs`: history is written two days back, then swept now. */
function shiftedClock() {
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const setOffset = (ms: number) => {
    offsetMs = ms;
  };
  return { clock, setOffset };
}

const input = (stream: string, domainName = "sweep.example") => ({
  body: { event_type: 1, stream_id: stream },
  domainName,
  appName: "live",
  streamId: stream,
  source: "intake" as const,
});

/** Marks pending deliveries delivered (or dead) at the clock's time, as a dispatcher would. */
async function settle(store: Store, clock: Clock, ids: string[], next: "delivered" | "dead") {
  const claimed = await store.deliveries.claimDue({
    owner: "seed",
    now: clock.now(),
    leaseMs: 60_000,
    limit: ids.length,
  });
  const wanted = new Set(ids);
  for (const c of claimed.filter((c) => wanted.has(c.delivery.id))) {
    const attempt = {
      startedAt: clock.now(),
      durationMs: 1,
      statusCode: next === "delivered" ? 200 : 500,
      errorCode: null,
      errorMessage: null,
      requestBody: "{}",
      responseSnippet: null,
    };
    await store.deliveries.recordAttempt({
      deliveryId: c.delivery.id,
      owner: "seed",
      attempt,
      next,
    });
  }
}

for (const driver of ["sqlite", "postgres"] as const) {
  describe(`history retention (${driver})`, () => {
    test("old delivered history goes in small batches, once across two nodes; recent and dead stay; dispatch goes on", async () => {
      const dir = mkdtempSync(join(tmpdir(), "onair-sweep-"));
      const schema = uniqueSchema("onair_sweep");
      const { clock, setOffset } = shiftedClock();
      const open = (): Store =>
        driver === "postgres"
          ? createPostgresStore({ connectionString: TEST_DATABASE_URL, schema, clock })
          : createSqliteStore({ path: join(dir, "onair.db"), clock });
      const store = open();
      await store.migrate();
      const other = open(); // a second node on the same database
      const receiver = await startReceiver({ key: KEY });
      const config = loadConfig({
        env: {},
        flags: {
          dataDir: dir,
          dispatcher: { pollIntervalMs: 20 },
          retention: { deliveredMaxAgeMs: DAY, batchSize: 20, batchPauseMs: 40 },
        },
      });
      const nodeEvents = createNodeEvents((_name, err) => {
        throw err;
      });
      const dispatcher = createDispatcher({
        store,
        config,
        clock,
        logger: testLogger(),
        metrics: createMetrics({ queue: store.deliveries, clock }),
        nodeId: "a",
        nodeEvents,
      });
      try {
        const template = await store.templates.create({
          name: "sweep",
          description: "",
          urls: { StreamBeginNotifyUrl: receiver.url },
          recordExceptionLevels: [],
          callbackKey: KEY,
          previousKeys: [],
          retryPolicy: policy,
          perStreamOrdering: false,
        });
        await store.rules.upsert({
          domainName: "sweep.example",
          appName: "",
          templateId: template.id,
        });
        const committer = createEventCommitter({ store, config, clock, newId, nodeEvents });

        // Two days ago: delivered history, one event no rule matched, one dead delivery.
        setOffset(-2 * DAY);
        const old = await Promise.all(
          Array.from({ length: OLD }, (_, i) => committer.commit(input(`old${i}`))),
        );
        await settle(
          store,
          clock,
          old.flatMap((c) => c.deliveryIds),
          "delivered",
        );
        const unmatched = await committer.commit(input("nobody", "norule.example"));
        const dead = await committer.commit(input("dead"));
        await settle(store, clock, dead.deliveryIds, "dead");
        // An hour ago: recent delivered history.
        setOffset(-3600_000);
        const recent = await committer.commit(input("recent"));
        await settle(store, clock, recent.deliveryIds, "delivered");
        setOffset(0);

        dispatcher.start();
        const sweepA = createHistorySweep({ store, config, clock, logger: testLogger() });
        const sweepB = createHistorySweep({ store: other, config, clock, logger: testLogger() });
        let sweeping = true;
        const swept = Promise.all([sweepA.sweep(), sweepB.sweep()]).finally(() => {
          sweeping = false;
        });
        // Live traffic while the sweep runs (it takes at least OLD / 20 × 40 ms ≈ 1.2 s).
        const live = await Promise.all(
          Array.from({ length: 30 }, (_, i) => committer.commit(input(`live${i}`))),
        );
        await waitFor(
          () => "the live events to be delivered",
          async () => {
            const states = await Promise.all(
              live.map(async (c) => (await store.deliveries.get(c.deliveryIds[0]!))?.status),
            );
            return states.every((s) => s === "delivered") || undefined;
          },
          { timeoutMs: 20_000, intervalMs: 20 },
        );
        assert.equal(sweeping, true, "dispatch delivered the live events while the sweep ran");
        const [a, b] = await swept;

        // Across both nodes, every old row went once (A and B may each have taken batches).
        const sum = (k: "events" | "deliveries" | "attempts") => a[k] + b[k];
        assert.deepEqual(
          { events: sum("events"), deliveries: sum("deliveries"), attempts: sum("attempts") },
          { events: OLD + 1, deliveries: OLD, attempts: OLD },
        );
        assert.equal(await store.events.get(old[0]!.eventId), null);
        assert.equal(await store.deliveries.get(old[OLD - 1]!.deliveryIds[0]!), null);
        assert.deepEqual(await store.deliveries.attempts(old[1]!.deliveryIds[0]!), []);
        assert.equal(await store.events.get(unmatched.eventId), null);
        assert.equal((await store.deliveries.get(dead.deliveryIds[0]!))?.status, "dead");
        assert.ok(await store.events.get(dead.eventId), "a dead delivery keeps its event");
        assert.equal((await store.deliveries.get(recent.deliveryIds[0]!))?.status, "delivered");
        assert.equal((await store.deliveries.attempts(recent.deliveryIds[0]!)).length, 1);
        for (const c of live) assert.ok(await store.events.get(c.eventId));

        // Dead deliveries go only by their own setting.
        const expiring = createHistorySweep({
          store,
          config: loadConfig({
            env: {},
            flags: { dataDir: dir, retention: { deliveredMaxAgeMs: DAY, deadMaxAgeMs: DAY } },
          }),
          clock,
          logger: testLogger(),
        });
        assert.deepEqual(await expiring.sweep(), {
          events: 1,
          deliveries: 1,
          attempts: 1,
          playSamples: 0,
        });
        assert.equal(await store.deliveries.get(dead.deliveryIds[0]!), null);
        assert.ok(await store.events.get(recent.eventId));
      } finally {
        await dispatcher.stop();
        await receiver.stop();
        await other.close();
        await store.close();
        if (driver === "postgres") await dropSchemas(schema);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

test("viewer statistics past retention.playStatsMaxAgeMs go with the history sweep; newer ones stay", async () => {
  const dir = mkdtempSync(join(tmpdir(), "onair-sweep-play-"));
  const store = createSqliteStore({ path: join(dir, "onair.db") });
  try {
    await store.migrate();
    const now = Date.now();
    const row = {
      domain: "play.example",
      appName: "live",
      streamName: "s",
      protocol: "flv" as const,
      bytes: 1,
      requests: 0,
      online: 1,
    };
    // 35 minutes of samples 40 days ago (one a minute), and one an hour ago.
    for (let i = 0; i < 35; i++) {
      await store.playSamples.append({
        node: "a",
        at: new Date(now - 40 * DAY + i * 60_000),
        rows: [row],
      });
    }
    await store.playSamples.append({ node: "a", at: new Date(now - 3600_000), rows: [row] });
    const sweep = (retention: Record<string, number>) =>
      createHistorySweep({
        store,
        config: loadConfig({ env: {}, flags: { dataDir: dir, retention } }),
        clock: { now: () => new Date(now) },
        logger: testLogger(),
      }).sweep();
    assert.equal((await sweep({ playStatsMaxAgeMs: 0 })).playSamples, 0, "0 keeps them");
    assert.equal((await sweep({ batchPauseMs: 0 })).playSamples, 35, "31 days by default");
    const minute = Math.floor((now - 3600_000 - 1) / 60_000) * 60_000;
    assert.equal((await store.playSamples.perStream({ minute })).length, 1, "the recent one stays");
    assert.equal((await sweep({ batchPauseMs: 0 })).playSamples, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

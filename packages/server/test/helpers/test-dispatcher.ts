import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { loadConfig } from "../../src/config/load-config.js";
import type { OnAirConfig } from "../../src/config/schema.js";
import { createDispatcher, type Dispatcher } from "../../src/dispatcher/dispatcher.js";
import { systemClock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import type { Delivery, DeliveryStatus } from "../../src/domain/types.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createNodeEvents, type NodeEvents } from "../../src/observability/node-events.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { testLogger } from "./log-capture.js";
import { dropSchemas, TEST_DATABASE_URL, uniqueSchema } from "./test-database.js";
import { waitFor } from "./wait-for.js";

export interface TestDispatcherOptions {
  /** Config keys over the defaults, as in `startTestOnAir`. */
  flags?: Record<string, unknown>;
  /** Deliver from a fresh PostgreSQL schema (dropped by close) instead of SQLite. */
  postgres?: boolean;
  lookup?: Parameters<typeof createDispatcher>[0]["lookup"];
  logger?: Logger;
  nodeId?: string;
  /** Start the dispatcher's loop at once (default true). */
  start?: boolean;
}

export interface TestDispatcher {
  dataDir: string;
  config: OnAirConfig;
  store: Store;
  dispatcher: Dispatcher;
  /** The bus the committer wakes the dispatcher on and the dispatcher reports attempts to. */
  nodeEvents: NodeEvents;
  committer: ReturnType<typeof createEventCommitter>;
  /** Polls the store until delivery `id` has `status`. */
  waitForStatus(id: string, status: DeliveryStatus, timeoutMs?: number): Promise<Delivery>;
  /** Stops the dispatcher, closes the store, removes the temp dir. */
  close(): Promise<void>;
}

/**
 * A store, a dispatcher and an event committer wired as app.ts wires them, without the HTTP
 * server: for tests of delivery itself.
 */
export async function startTestDispatcher(
  options: TestDispatcherOptions = {},
): Promise<TestDispatcher> {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-dispatch-"));
  const config = loadConfig({ env: {}, flags: { dataDir, ...options.flags } });
  const schema = options.postgres ? uniqueSchema("onair_dispatch") : undefined;
  const store: Store = schema
    ? createPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
    : createSqliteStore({ path: join(dataDir, "onair.db") });
  await store.migrate();
  // A listener that throws fails the test instead of being logged away.
  const nodeEvents = createNodeEvents((_name, err) => {
    throw err;
  });
  const dispatcher = createDispatcher({
    store,
    nodeEvents,
    config,
    clock: systemClock,
    logger: options.logger ?? testLogger(),
    metrics: createMetrics({ queue: store.deliveries, clock: systemClock }),
    nodeId: options.nodeId ?? "test",
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const committer = createEventCommitter({
    store,
    config,
    clock: systemClock,
    newId,
    nodeEvents,
    handoff: dispatcher,
  });
  if (options.start ?? true) dispatcher.start();
  return {
    dataDir,
    config,
    store,
    dispatcher,
    nodeEvents,
    committer,
    async waitForStatus(id, status, timeoutMs = 10_000) {
      let last: string | undefined;
      return waitFor(
        () => `delivery ${id} to be ${status} (it is ${last})`,
        async () => {
          const delivery = await store.deliveries.get(id);
          last = delivery?.status;
          return delivery?.status === status ? delivery : undefined;
        },
        { timeoutMs, intervalMs: 25 },
      );
    },
    async close() {
      await dispatcher.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchemas(schema);
    },
  };
}

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config/load-config.js";
import { systemClock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createNodeEvents } from "../../src/observability/node-events.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { dropSchemas, TEST_DATABASE_URL, uniqueSchema } from "../helpers/test-database.js";

/** Two nodes over one database: each has its own store handle (pool or connection). */
async function twoNodes(driver: "sqlite" | "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "onair-rules-"));
  const schema = uniqueSchema("onair_rules");
  const open = (): Store =>
    driver === "postgres"
      ? createPostgresStore({ connectionString: TEST_DATABASE_URL, schema })
      : createSqliteStore({ path: join(dir, "onair.db") });
  const a = open();
  await a.migrate();
  const b = open();
  await b.migrate();
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      if (driver === "postgres") await dropSchemas(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const template = (store: Store, url: string) =>
  store.templates.create({
    name: url,
    description: "",
    urls: { StreamBeginNotifyUrl: url },
    recordExceptionLevels: [],
    callbackKey: "k",
    previousKeys: [],
    retryPolicy: null,
    perStreamOrdering: false,
  });

for (const driver of ["sqlite", "postgres"] as const) {
  describe(`rule changes across nodes (${driver})`, () => {
    test("a rule created, rebound or deleted on node A decides node B's next commit", async () => {
      const nodes = await twoNodes(driver);
      try {
        const config = loadConfig({ env: {}, flags: { dataDir: tmpdir() } });
        const committerB = createEventCommitter({
          store: nodes.b,
          config,
          clock: systemClock,
          newId,
          nodeEvents: createNodeEvents((_name, err) => {
            throw err;
          }),
        });
        const commitOnB = async () => {
          const { deliveryIds } = await committerB.commit({
            body: { event_type: 1, stream_id: "s" },
            domainName: "push.example",
            appName: "live",
            streamId: "s",
            source: "intake",
          });
          return Promise.all(
            deliveryIds.map(async (id) => (await nodes.b.deliveries.get(id))?.url),
          );
        };

        assert.deepEqual(await commitOnB(), [], "no rule yet: stored, nothing to deliver");
        const first = await template(nodes.a, "http://127.0.0.1:9/first");
        const second = await template(nodes.a, "http://127.0.0.1:9/second");
        await nodes.a.rules.upsert({
          domainName: "push.example",
          appName: "",
          templateId: first.id,
        });
        assert.deepEqual(await commitOnB(), ["http://127.0.0.1:9/first"]);
        await nodes.a.rules.upsert({
          domainName: "push.example",
          appName: "live",
          templateId: second.id,
        });
        assert.deepEqual(await commitOnB(), ["http://127.0.0.1:9/second"], "the exact rule wins");
        await nodes.a.rules.upsert({
          domainName: "push.example",
          appName: "live",
          templateId: first.id,
        });
        assert.deepEqual(await commitOnB(), ["http://127.0.0.1:9/first"], "rebound");
        await nodes.a.templates.update(first.id, {
          ...first,
          urls: { StreamBeginNotifyUrl: "http://127.0.0.1:9/edited" },
        });
        assert.deepEqual(await commitOnB(), ["http://127.0.0.1:9/edited"], "template edited");
        assert.equal(await nodes.a.rules.delete("push.example", "live"), true);
        assert.equal(await nodes.a.rules.delete("push.example", ""), true);
        assert.deepEqual(await commitOnB(), [], "deleted on A: B delivers nothing");
      } finally {
        await nodes.close();
      }
    });
  });
}

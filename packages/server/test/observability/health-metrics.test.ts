import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { readErrorBody } from "../helpers/error-body.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

const ROWS = 1_000_000;
const TOKEN = "metrics-token-0123456789abcdef";

/**
 * Issue 11, defect 4: `/healthz` and `/metrics` scanned the never-purged deliveries table three
 * times per call. With a million rows, a flood of both must run no statement whose plan scans a
 * table (SQLite's EXPLAIN QUERY PLAN says SEARCH for an index range, SCAN for a full pass), and
 * the queue figures are read once for the whole flood.
 */
describe("/healthz and /metrics stay cheap on a large deliveries table", () => {
  let node: TestOnAir;
  let base: string;

  /** A million deliveries written straight into the database before OnAir opens it. */
  const seedDeliveries = async (dataDir: string) => {
    const path = join(dataDir, "onair.db");
    const seed = createSqliteStore({ path });
    await seed.migrate();
    await seed.close();
    const db = new Database(path);
    db.exec(`
      BEGIN;
      INSERT INTO events (id, event_type, domain_name, app_name, stream_id, body, source, created_at)
        VALUES ('evt_bulk', 1, 'd.example', 'live', 's', '{}', 'intake', 1);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
      INSERT INTO deliveries (id, event_id, template_id, url, origin, event_type, stream_id, status,
          attempts, next_attempt_at, policy, created_at, updated_at)
        SELECT 'msg_' || i, 'evt_bulk', 1, 'http://127.0.0.1:9/x', 'http://127.0.0.1:9', 1, 's',
          CASE WHEN i % 1000 = 0 THEN 'dead' WHEN i % 500 = 0 THEN 'pending' ELSE 'delivered' END,
          1, 9000000000000000, '{}', i, i
        FROM n;
      COMMIT;`);
    db.close();
  };

  before(async () => {
    node = await startTestOnAir({ prepare: seedDeliveries, flags: { metrics: { token: TOKEN } } });
    base = node.httpUrl;
  });
  after(() => node?.stop());

  test("a 64-way flood of both runs no table scan and reads the queue figures once", async () => {
    const statements: string[] = [];
    const record = (message: unknown) => statements.push((message as { sql: string }).sql);
    subscribe("onair:store:statement", record);
    let metricsBodies: string[];
    let health: Response[];
    try {
      const metrics = await Promise.all(
        Array.from({ length: 64 }, () =>
          fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }),
        ),
      );
      assert.deepEqual([...new Set(metrics.map((r) => r.status))], [200]);
      metricsBodies = await Promise.all(metrics.map((r) => r.text()));
      health = await Promise.all(Array.from({ length: 64 }, () => fetch(`${base}/healthz`)));
    } finally {
      unsubscribe("onair:store:statement", record);
    }
    assert.deepEqual([...new Set(health.map((r) => r.status))], [200]);
    assert.match(metricsBodies[0]!, /onair_delivery_queue_depth 1000\b/);
    assert.match(metricsBodies[0]!, /onair_deliveries_dead 1000\b/);

    // What the routes ran (the dispatcher's claims may run alongside; they are checked too).
    const mine = statements.filter((sql) => !/lease_owner|origin/.test(sql));
    const queue = mine.filter((sql) => /FROM deliveries/.test(sql));
    assert.ok(queue.length <= 3, `queue figures read once for 64 scrapes: ${queue.length}`);
    const probes = mine.filter((sql) => /health_probe/.test(sql));
    assert.ok(probes.length <= 1, `write probe run once for 64 requests: ${probes.length}`);

    const db = new Database(join(node.dataDir, "onair.db"), { readonly: true });
    try {
      for (const sql of new Set(statements)) {
        const params = (sql.match(/\?/g) ?? []).map(() => "x");
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
        const scans = plan.filter((step) =>
          /^SCAN (deliveries|attempts|events)\b/.test(step.detail),
        );
        assert.deepEqual(scans, [], `no table scan in: ${sql}`);
      }
    } finally {
      db.close();
    }
  });

  test("metrics.token: no bearer or a wrong one gets 401", async () => {
    const none = await fetch(`${base}/metrics`);
    assert.equal(none.status, 401);
    assert.equal((await readErrorBody(none)).code, "ONAIR_ERR_AUTH_MISSING");
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
  });
});

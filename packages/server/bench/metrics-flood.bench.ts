/**
 * Scenario "metrics-flood" (issue 11, defect 4): intake latency on a store with a million
 * delivery rows, alone and while 64 clients hammer `/metrics` and `/healthz` without pause, in
 * the same run. Before the fix each scrape scanned the deliveries table three times (intake p50
 * went from 1.6 ms to 12 s); now the queue figures are cached index reads, so the ratio of the
 * two p50s should stay near 1. Ratios, not absolute claims: the machine is shared.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { pino } from "pino";
import { startOnAir } from "../src/app.js";
import { loadConfig } from "../src/config/load-config.js";
import { createSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { pushBody } from "../test/e2e/push-body.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_EVENTS ?? 500);
const TOKEN = "benchIntakeToken0123456789abcdef";

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

const dataDir = mkdtempSync(join(tmpdir(), "onair-bench-metrics-"));
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
      CASE WHEN i % 1000 = 0 THEN 'dead' ELSE 'delivered' END, 1, i, '{}', i, i
    FROM n;
  COMMIT;`);
db.close();

const onair = await startOnAir(
  loadConfig({
    env: {},
    flags: {
      httpPort: 0,
      httpHost: "127.0.0.1",
      dataDir,
      secretId: "AKIDbenchmetrics",
      secretKey: TOKEN,
      intakeToken: TOKEN,
      ingest: { enabled: false },
    },
  }),
  { logger: pino({ level: "silent" }) },
);
const base = `http://127.0.0.1:${onair.httpPort}`;

async function intakeLatencies(offset: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await fetch(`${base}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        ...pushBody("bench.example", offset + i, 7_000_000_000n),
        t: 1,
        sign: "x",
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`intake answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

const alone = await intakeLatencies(0);
let flooding = true;
let scrapes = 0;
const flood = Array.from({ length: 64 }, async (_, i) => {
  while (flooding) {
    const response = await fetch(`${base}/${i % 2 ? "metrics" : "healthz"}`);
    await response.arrayBuffer();
    scrapes++;
  }
});
const underFlood = await intakeLatencies(REQUESTS);
flooding = false;
await Promise.all(flood);
await onair.stop();
rmSync(dataDir, { recursive: true, force: true });

const row = (name: string, values: number[]) =>
  `${name.padEnd(32)} p50 ${percentile(values, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(values, 99).toFixed(2).padStart(8)} ms`;
process.stdout.write(
  [
    `metrics-flood: ${ROWS.toLocaleString("en")} delivery rows, ${REQUESTS} intake requests each`,
    row("intake alone", alone),
    row("intake under a 64-way flood", underFlood),
    `flood requests served: ${scrapes}; p50 ratio flood/alone: ${(percentile(underFlood, 50) / percentile(alone, 50)).toFixed(2)}×`,
    "",
  ].join("\n"),
);

/**
 * Scenario "rule-match": what one committed event costs as the callback rules and templates grow
 * (10, 1,000, 100,000 of each), on SQLite and PostgreSQL. For each size: commits/s through the
 * event committer (32 in flight, the rule found by `store.rules.match`), and the cost of finding
 * the rule alone, by the index (`match`, today) and by reading every rule (`list` and a scan, the
 * committer before issue 15) — both in the same run. Ratios against 10 rules; the machine is
 * shared, so absolute figures are noisy.
 */
import { tmpdir } from "node:os";
import { loadConfig } from "../src/config/load-config.js";
import { systemClock } from "../src/domain/clock.js";
import { newId } from "../src/domain/ids.js";
import { createEventCommitter } from "../src/events/event-committer.js";
import { createNodeEvents } from "../src/observability/node-events.js";
import { type Driver, openBenchStore, series } from "./bench-stores.js";

const SIZES = (process.env.RULES ?? "10,1000,100000").split(",").map(Number);
const DRIVERS = (process.env.DRIVERS ?? "sqlite,postgres").split(",") as Driver[];
const COMMITS = Number(process.env.COMMITS ?? 1000);
const LOOKUPS = Number(process.env.LOOKUPS ?? 200);

async function measure(driver: Driver, rules: number) {
  const bench = await openBenchStore(driver);
  try {
    const { store } = bench;
    const first = await store.templates.create({
      name: "bench",
      description: "",
      urls: { StreamBeginNotifyUrl: "http://127.0.0.1:9/bench" },
      recordExceptionLevels: [],
      callbackKey: "k",
      previousKeys: [],
      retryPolicy: null,
      perStreamOrdering: false,
    });
    const columns =
      "name, description, urls, record_exception_levels, callback_key, previous_keys, retry_policy, per_stream_ordering, created_at, updated_at";
    await bench.exec(
      `${series(rules - 1)} INSERT INTO callback_templates (${columns})
       SELECT ${columns} FROM callback_templates, n WHERE id = ${first.id}`,
    );
    await bench.exec(
      `${series(rules)} INSERT INTO callback_rules (domain_name, app_name, template_id, created_at, updated_at)
       SELECT 'd' || i || '.example', 'live', ${first.id} + i - 1, i, i FROM n`,
    );
    await bench.exec("ANALYZE");
    const domain = (i: number) => `d${1 + ((i * 7919) % rules)}.example`;

    const committer = createEventCommitter({
      store,
      config: loadConfig({ env: {}, flags: { dataDir: tmpdir() } }),
      clock: systemClock,
      newId,
      nodeEvents: createNodeEvents((_name, err) => {
        throw err;
      }),
    });
    const commit = (i: number) =>
      committer.commit({
        body: { event_type: 1, stream_id: `s${i}` },
        domainName: domain(i),
        appName: "live",
        streamId: `s${i}`,
        source: "intake",
      });
    for (let i = 0; i < 100; i++) await commit(i); // warm-up
    let started = performance.now();
    for (let i = 0; i < COMMITS; i += 32) {
      const batch = [];
      for (let j = i; j < Math.min(COMMITS, i + 32); j++) batch.push(commit(j));
      const results = await Promise.all(batch);
      if (results.some((r) => r.deliveryIds.length !== 1))
        throw new Error("a commit found no rule");
    }
    const commitsPerSecond = (COMMITS * 1000) / (performance.now() - started);

    started = performance.now();
    for (let i = 0; i < LOOKUPS; i++) {
      if (!(await store.rules.match(domain(i), "live"))) throw new Error("no rule");
    }
    const matchUs = ((performance.now() - started) * 1000) / LOOKUPS;
    // Before issue 15: every rule read for every event, then scanned.
    const scans = Math.max(3, Math.min(LOOKUPS, Math.round(2_000_000 / rules)));
    started = performance.now();
    for (let i = 0; i < scans; i++) {
      const d = domain(i);
      if (!(await store.rules.list()).find((r) => r.domainName === d)) throw new Error("no rule");
    }
    const listUs = ((performance.now() - started) * 1000) / scans;
    return { commitsPerSecond, matchUs, listUs };
  } finally {
    await bench.close();
  }
}

console.log(
  `scenario "rule-match": ${COMMITS} commits (32 in flight) per size; rule lookup alone, index vs read-all (Node ${process.version})`,
);
console.log(
  `${"driver".padEnd(9)}${"rules".padStart(8)}${"commits/s".padStart(11)}${"vs 10".padStart(7)}${"match µs".padStart(11)}${"vs 10".padStart(7)}${"list µs (before)".padStart(18)}${"vs 10".padStart(8)}`,
);
for (const driver of DRIVERS) {
  let base: Awaited<ReturnType<typeof measure>> | undefined;
  for (const rules of SIZES) {
    const r = await measure(driver, rules);
    base ??= r;
    console.log(
      `${driver.padEnd(9)}${String(rules).padStart(8)}${Math.round(r.commitsPerSecond).toString().padStart(11)}${(r.commitsPerSecond / base.commitsPerSecond).toFixed(2).padStart(7)}${r.matchUs.toFixed(0).padStart(11)}${(r.matchUs / base.matchUs).toFixed(2).padStart(7)}${r.listUs.toFixed(0).padStart(18)}${(r.listUs / base.listUs).toFixed(0).padStart(8)}`,
    );
  }
}

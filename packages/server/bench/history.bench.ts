/**
 * Scenario "history": the list and claim queries on an empty store and on one holding HISTORY
 * delivered events (each with a delivery and an attempt: 3 × HISTORY rows), on SQLite and
 * PostgreSQL, in the same run; the ratio is the figure (issue 15: within 2×). Then the history
 * sweep over those rows while a small dispatch loop (commit, claim, record the attempt) runs:
 * that loop's p99 with and without the sweep. Last, the stream query without the index of
 * migration 0008 (dropped for the purpose): the before of that index. Ratios, not absolute
 * claims: the machine is shared.
 */
import { tmpdir } from "node:os";
import { pino } from "pino";
import { loadConfig } from "../src/config/load-config.js";
import { createHistorySweep } from "../src/dispatcher/history-sweep.js";
import { systemClock } from "../src/domain/clock.js";
import { newId } from "../src/domain/ids.js";
import { createEventCommitter } from "../src/events/event-committer.js";
import { createNodeEvents } from "../src/observability/node-events.js";
import type { Store } from "../src/store/store.js";
import { type BenchStore, type Driver, openBenchStore, percentile } from "./bench-stores.js";
import { fillHistory } from "./history-rows.js";

const HISTORY = Number(process.env.HISTORY ?? 3_340_000);
const DRIVERS = (process.env.DRIVERS ?? "sqlite,postgres").split(",") as Driver[];
const REPS = Number(process.env.REPS ?? 40);
const SWEEP_MS = Number(process.env.SWEEP_MS ?? 8000);
const DAY = 86_400_000;

type Query = { name: string; run(store: Store): Promise<unknown> };
const now = () => new Date();
const QUERIES: Query[] = [
  {
    name: "claimDue (100 due)",
    async run(store) {
      // A lease of 0 ms leaves the rows claimable for the next round.
      const claimed = await store.deliveries.claimDue({
        owner: "bench",
        now: now(),
        leaseMs: 0,
        limit: 100,
        perOriginLimit: 16,
        inFlightByOrigin: new Map(),
      });
      if (claimed.length === 0) throw new Error("nothing claimed");
    },
  },
  { name: "events.list newest 50", run: (s) => s.events.list({ limit: 50 }) },
  { name: "events.list one stream", run: (s) => s.events.list({ streamId: "s42", limit: 50 }) },
  { name: "deliveries.list newest 50", run: (s) => s.deliveries.list({ limit: 50 }) },
  {
    name: "deliveries.list dead",
    run: (s) => s.deliveries.list({ status: ["dead"], limit: 50 }),
  },
  {
    name: "deliveries.list pending",
    run: (s) => s.deliveries.list({ status: ["pending"], limit: 50 }),
  },
  {
    name: "deliveries.list stream, 1 day (records)",
    run: (s) =>
      s.deliveries.list({
        streamId: "s42",
        from: new Date(Date.now() - 40 * DAY),
        to: now(),
        limit: 500,
      }),
  },
  { name: "queueGauges", run: (s) => s.deliveries.queueGauges(now()) },
  { name: "releaseLeases (graceful stop)", run: (s) => s.deliveries.releaseLeases("nobody") },
];

/** p50/p99 of each query on each store, rounds interleaved across queries and stores. */
async function timeQueries(stores: Store[], queries: Query[]) {
  const samples = stores.map(() => new Map<string, number[]>(queries.map((q) => [q.name, []])));
  for (const store of stores) for (const q of queries) await q.run(store); // warm caches
  for (let r = 0; r < REPS; r++) {
    // A burst of load on the shared machine hits every query and both stores alike.
    for (const q of queries) {
      for (const [i, store] of stores.entries()) {
        const t = performance.now();
        await q.run(store);
        samples[i]!.get(q.name)!.push(performance.now() - t);
      }
    }
  }
  return samples.map(
    (byQuery) =>
      new Map(
        [...byQuery].map(([name, v]) => [name, { p50: percentile(v, 50), p99: percentile(v, 99) }]),
      ),
  );
}

function committerFor(store: Store) {
  return createEventCommitter({
    store,
    config: loadConfig({ env: {}, flags: { dataDir: tmpdir() } }),
    clock: systemClock,
    newId,
    nodeEvents: createNodeEvents((_name, err) => {
      throw err;
    }),
  });
}

/** 200 pending due deliveries (what the claim finds) and the rule they came by. */
async function seedLive(store: Store) {
  const template = await store.templates.create({
    name: "bench",
    description: "",
    urls: { StreamBeginNotifyUrl: "http://127.0.0.1:9/live" },
    recordExceptionLevels: [],
    callbackKey: "k",
    previousKeys: [],
    retryPolicy: null,
    perStreamOrdering: false,
  });
  await store.rules.upsert({ domainName: "bench.example", appName: "", templateId: template.id });
  const committer = committerFor(store);
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      committer.commit({
        body: { event_type: 1, stream_id: `s${i}` },
        domainName: "bench.example",
        appName: "live",
        streamId: `s${i}`,
        source: "intake",
      }),
    ),
  );
  return committer;
}

/** A dispatch in miniature for `ms`: commit, claim, record delivered; per-round latencies. */
async function dispatchLoop(store: Store, committer: ReturnType<typeof committerFor>, ms: number) {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  let i = 0;
  while (performance.now() < end) {
    const t = performance.now();
    const { deliveryIds } = await committer.commit({
      body: { event_type: 1, stream_id: "loop" },
      domainName: "bench.example",
      appName: "live",
      streamId: "loop",
      source: "intake",
    });
    const claimed = await store.deliveries.claimDue({
      owner: "loop",
      now: now(),
      leaseMs: 60_000,
      limit: 1,
    });
    for (const c of claimed) {
      await store.deliveries.recordAttempt({
        deliveryId: c.delivery.id,
        owner: "loop",
        attempt: {
          startedAt: now(),
          durationMs: 1,
          statusCode: 200,
          errorCode: null,
          errorMessage: null,
          requestBody: "{}",
          responseSnippet: null,
        },
        next: c.delivery.id === deliveryIds[0] ? "delivered" : new Date(Date.now() + DAY),
      });
    }
    latencies.push(performance.now() - t);
    i++;
  }
  return { rounds: i, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const fmt = (ms: number) => ms.toFixed(2).padStart(9);

async function measure(driver: Driver) {
  const empty: BenchStore = await openBenchStore(driver);
  const full: BenchStore = await openBenchStore(driver);
  try {
    await seedLive(empty.store);
    const committer = await seedLive(full.store);
    let t = performance.now();
    // History 20 days old: all of it past the 15-day default retention.
    await fillHistory(full, HISTORY, Date.now() - 20 * DAY);
    const fillSeconds = (performance.now() - t) / 1000;
    const [e0, f0] = await timeQueries([empty.store, full.store], QUERIES);
    console.log(
      `\n${driver}: ${HISTORY.toLocaleString("en")} delivered events + as many deliveries and attempts (${(3 * HISTORY).toLocaleString("en")} rows, filled in ${fillSeconds.toFixed(0)} s) vs an empty store; both with 200 pending`,
    );
    console.log(
      `${"query".padEnd(42)}${"empty p50".padStart(9)}${"full p50".padStart(9)}${"ratio".padStart(7)}${"empty p99".padStart(10)}${"full p99".padStart(9)}`,
    );
    for (const q of QUERIES) {
      const e = e0!.get(q.name)!;
      const f = f0!.get(q.name)!;
      console.log(
        `${q.name.padEnd(42)}${fmt(e.p50)}${fmt(f.p50)}${(f.p50 / e.p50).toFixed(2).padStart(6)}×${fmt(e.p99).padStart(10)}${fmt(f.p99)}`,
      );
    }

    const idle = await dispatchLoop(full.store, committer, SWEEP_MS / 2);
    const sweep = createHistorySweep({
      store: full.store,
      config: loadConfig({ env: {}, flags: { dataDir: tmpdir() } }),
      clock: systemClock,
      logger: pino({ level: "silent" }),
    });
    t = performance.now();
    let removed = 0;
    const sweeping = sweep.sweep().then((r) => {
      removed = r.events;
    });
    const during = await dispatchLoop(full.store, committer, SWEEP_MS);
    await sweep.stop(); // ends the sweep at its next batch; the rest waits for the next round
    await sweeping;
    const sweptPerSecond = removed / ((performance.now() - t) / 1000);
    console.log(
      `dispatch loop (commit, claim, record): idle p50 ${fmt(idle.p50)} p99 ${fmt(idle.p99)} ms; during the sweep p50 ${fmt(during.p50)} p99 ${fmt(during.p99)} ms (${(during.p99 / idle.p99).toFixed(2)}×); sweep removed ${removed.toLocaleString("en")} events (${Math.round(sweptPerSecond).toLocaleString("en")}/s; default settings: batches of at most 200, paced)`,
    );

    const stream = QUERIES.filter((q) => q.name.startsWith("deliveries.list stream"));
    const [withIndex] = await timeQueries([full.store], stream);
    await full.exec("DROP INDEX deliveries_by_stream");
    const [withoutIndex] = await timeQueries([full.store], stream);
    for (const q of stream) {
      console.log(
        `${q.name}: p50 ${fmt(withIndex!.get(q.name)!.p50)} ms with deliveries_by_stream (0008), ${fmt(withoutIndex!.get(q.name)!.p50)} ms without`,
      );
    }
  } finally {
    await empty.close();
    await full.close();
  }
}

console.log(
  `scenario "history": ${REPS} interleaved rounds of each query (Node ${process.version})`,
);
for (const driver of DRIVERS) await measure(driver);

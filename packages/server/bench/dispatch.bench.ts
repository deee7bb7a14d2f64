/**
 * Scenario "dispatch": events committed through OnAir's intake and delivered to a receiver in
 * another process, beside a baseline of raw undici POSTs of the same bodies to the same receiver
 * with no persistence, in the same run. Prints events/s, intake-to-delivery latency and this
 * process's CPU per event (µs, user + system; the receiver's own process is not counted, its
 * report of each callback to this one is, alike for both), then the same at
 * half the measured maximum rate. Ratios, not absolute claims: the machine is shared.
 * BENCH_EVENTS (default 3000) sets the events per measurement, BENCH_DRIVER=postgres delivers
 * from a fresh schema of the test database instead of SQLite, BENCH_NODES=2 (PostgreSQL) commits
 * the events through two nodes on one database, alternately.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCallbackRequest } from "@onair/callbacks";
import { pino } from "pino";
import { Agent, request } from "undici";
import { startOnAir } from "../src/app.js";
import { loadConfig } from "../src/config/load-config.js";
import { pushBody } from "../test/e2e/push-body.js";
import { startReceiver } from "../test/e2e/receiver.js";
import { dropSchemas, schemaUrl, uniqueSchema } from "../test/helpers/test-database.js";

const KEY = "BenchKey";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const DRIVER = process.env.BENCH_DRIVER === "postgres" ? "postgres" : "sqlite";
const NODES = DRIVER === "postgres" ? Math.max(1, Number(process.env.BENCH_NODES ?? 1)) : 1;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

const body = (i: number) => pushBody("bench.example", i, 8_000_000_000_000_000_000n);

/** Sends `count` events at `ratePerSecond` (Infinity = as fast as possible) and measures. */
async function run(
  count: number,
  ratePerSecond: number,
  send: (i: number) => Promise<string>,
  receiver: Awaited<ReturnType<typeof startReceiver>>,
) {
  const sentAt = new Map<string, number>();
  const before = receiver.received.length;
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    if (Number.isFinite(ratePerSecond)) {
      const due = started + (i * 1000) / ratePerSecond;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    }
    const at = Date.now();
    inFlight.push(send(i).then((id) => void sentAt.set(id, at)));
    if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await receiver.waitFor(before + count, 300_000);
  const cpu = process.cpuUsage(cpuBefore);
  const batch = receiver.received.slice(before, before + count);
  const finished = Math.max(...batch.map((r) => r.at));
  const latencies = batch.map((r) => r.at - (sentAt.get(r.webhookId ?? "") ?? r.at));
  return {
    eventsPerSecond: (count * 1000) / (finished - started),
    // This process's CPU (the receiver runs in its own): the figure least moved by other load.
    cpuMicrosPerEvent: (cpu.user + cpu.system) / count,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const receiver = await startReceiver({ key: KEY });
const schema = uniqueSchema("onair_bench_dispatch");
const dataDirs: string[] = [];
const startNode = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-bench-"));
  dataDirs.push(dataDir);
  return startOnAir(
    loadConfig({
      env: {},
      flags: {
        httpPort: 0,
        rtmpPort: 0,
        rtmpHost: "127.0.0.1",
        httpHost: "127.0.0.1",
        dataDir,
        ...(DRIVER === "postgres" ? { databaseUrl: schemaUrl(schema) } : {}),
        secretId: "AKIDbench",
        secretKey: "bench-secret-key-0123456789",
        logLevel: "silent",
        dispatcher: { pollIntervalMs: 20 },
      },
    }),
    { logger: pino({ level: "silent" }) },
  );
};
const nodes: Awaited<ReturnType<typeof startOnAir>>[] = [];
for (let n = 0; n < NODES; n++) nodes.push(await startNode());
const onair = nodes[0]!;
const template = await onair.store.templates.create({
  name: "bench",
  description: "",
  urls: { StreamBeginNotifyUrl: receiver.url },
  recordExceptionLevels: [],
  callbackKey: KEY,
  previousKeys: [],
  retryPolicy: null,
  perStreamOrdering: false,
});
await onair.store.rules.upsert({
  domainName: "bench.example",
  appName: "live",
  templateId: template.id,
});

const agent = new Agent({ connections: 64 });
let rawId = 0;
const raw = async (i: number) => {
  const id = `raw_${rawId++}`;
  const req = createCallbackRequest({
    body: body(i),
    keys: [KEY],
    webhookId: id,
    nowMs: Date.now(),
  });
  const response = await request(receiver.url, {
    method: "POST",
    headers: req.headers,
    body: req.body,
    dispatcher: agent,
  });
  await response.body.text();
  return id;
};
const viaOnAir = async (i: number) => {
  const { deliveryIds } = await nodes[i % nodes.length]!.events.commit({
    body: body(i),
    domainName: "bench.example",
    appName: "live",
    streamId: `s${i}`,
    source: "intake",
    // Tied to a publish as an ingest push is, so the push barrier's index is kept for each.
    publishSequence: String(i),
  });
  return deliveryIds[0]!;
};

await run(300, Number.POSITIVE_INFINITY, raw, receiver); // warm-up
await run(300, Number.POSITIVE_INFINITY, viaOnAir, receiver);
const baseline = await run(EVENTS, Number.POSITIVE_INFINITY, raw, receiver);
const onairMax = await run(EVENTS, Number.POSITIVE_INFINITY, viaOnAir, receiver);
const halfRate = onairMax.eventsPerSecond / 2;
const onairHalf = await run(
  Math.min(EVENTS, Math.round(halfRate * 5)),
  halfRate,
  viaOnAir,
  receiver,
);

type Measured = Awaited<ReturnType<typeof run>>;
const row = (name: string, r: Measured) =>
  `${name.padEnd(44)} ${Math.round(r.eventsPerSecond).toString().padStart(8)} ${(r.eventsPerSecond / baseline.eventsPerSecond).toFixed(2).padStart(8)}× ${String(r.p50).padStart(8)} ${String(r.p99).padStart(8)} ${Math.round(r.cpuMicrosPerEvent).toString().padStart(10)} ${(r.cpuMicrosPerEvent / baseline.cpuMicrosPerEvent).toFixed(2).padStart(8)}×`;
console.log(
  `scenario "dispatch": ${EVENTS} events, receiver in another process, ${DRIVER === "postgres" ? `PostgreSQL store, ${NODES} node(s)` : "SQLite store"} (Node ${process.version})`,
);
console.log(
  `${"".padEnd(44)} ${"events/s".padStart(8)} ${"vs raw".padStart(9)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"CPU µs/ev".padStart(10)} ${"vs raw".padStart(9)}`,
);
console.log(row("raw undici POST, no persistence (baseline)", baseline));
console.log(row("OnAir intake → outbox → dispatcher (max)", onairMax));
console.log(row(`OnAir at half its max rate (${Math.round(halfRate)}/s)`, onairHalf));

for (const node of nodes) await node.stop();
await agent.close();
await receiver.stop();
for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
if (DRIVER === "postgres") await dropSchemas(schema);

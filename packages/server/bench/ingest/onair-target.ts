/**
 * OnAir as a benchmark target, in its own process so its CPU and memory are measured alone.
 * Env: ONAIR_BENCH_RTMP_PORT, ONAIR_BENCH_DATA_DIR, ONAIR_BENCH_CALLBACK_URL (optional: push
 * and interruption callbacks for app "live" of domain 127.0.0.1 go there), ONAIR_BENCH_INGEST
 * (optional JSON: `ingest` settings over the bench's; the key `holdAtOnce: 1` brings back the
 * read coalescer of before issue 15, which stopped a socket right after its read, so a close
 * queued behind held data waited one more interval), ONAIR_BENCH_FORWARDS (optional JSON list of
 * `{appName, targetUrl}`: forward rules of domain 127.0.0.1, docs/relay.md). Prints one JSON line:
 * `{"ready":true,"httpPort":…,"rtmpPort":…}`, or `{"error":"…"}` and exits 2.
 */
import { startOnAir } from "../../src/app.js";
import { configSchema } from "../../src/config/schema.js";
import { ReadCoalescer } from "../../src/ingest/read-coalescer.js";

const dataDir = process.env.ONAIR_BENCH_DATA_DIR;
if (!dataDir) throw new Error("ONAIR_BENCH_DATA_DIR is required");
const callbackUrl = process.env.ONAIR_BENCH_CALLBACK_URL;

const { holdAtOnce, ...ingest } = JSON.parse(process.env.ONAIR_BENCH_INGEST ?? "{}") as Record<
  string,
  number | string | boolean
>;
if (holdAtOnce) {
  type Held = { handle: { readStop(): number }; stopped: boolean };
  (ReadCoalescer.prototype as unknown as { holdAfterRead(state: Held): void }).holdAfterRead = (
    state,
  ) => {
    state.handle.readStop();
    state.stopped = true;
  };
}

const app = await startOnAir(
  configSchema.parse({
    httpPort: 0,
    httpHost: "127.0.0.1",
    rtmpPort: Number(process.env.ONAIR_BENCH_RTMP_PORT ?? 0),
    rtmpHost: "127.0.0.1",
    dataDir,
    logLevel: "warn",
    secretId: "bench",
    secretKey: "bench-secret-key-0123456789",
    // Every publisher of the benchmark comes from 127.0.0.1: the per-address limit (32) would
    // refuse all past the 32nd, so it gets the node-wide limit instead.
    ingest: {
      maxConnectionsPerIp: 1000,
      ...ingest,
    },
  }),
);

const stop = async (code: number) => {
  await app.stop();
  process.exit(code);
};
process.once("SIGTERM", () => void stop(0));
process.once("SIGINT", () => void stop(0));

const rtmpPort = app.rtmpPort;
if (rtmpPort === null) {
  process.stdout.write(`${JSON.stringify({ error: "RTMP ingest is disabled" })}\n`);
  await stop(2);
}

if (callbackUrl) {
  // Straight into the store: the management API would need signed requests for the same result.
  const template = await app.store.templates.create({
    name: "ingest-bench",
    description: "push and interruption callbacks for the ingest benchmark",
    urls: { StreamBeginNotifyUrl: callbackUrl, StreamEndNotifyUrl: callbackUrl },
    recordExceptionLevels: [],
    callbackKey: "benchkey",
    previousKeys: [],
    retryPolicy: null,
    perStreamOrdering: false,
  });
  await app.store.rules.upsert({
    domainName: "127.0.0.1",
    appName: "live",
    templateId: template.id,
  });
}

const forwards = JSON.parse(process.env.ONAIR_BENCH_FORWARDS ?? "[]") as {
  appName: string;
  targetUrl: string;
}[];
for (const rule of forwards) {
  await app.store.forwards.create({ domainName: "127.0.0.1", ...rule });
}

process.stdout.write(`${JSON.stringify({ ready: true, httpPort: app.httpPort, rtmpPort })}\n`);

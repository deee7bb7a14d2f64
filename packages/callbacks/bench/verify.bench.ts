/**
 * Throughput of @onair/callbacks verify+parse beside the `standardwebhooks` and `svix` packages'
 * verify, on the same payloads in the same process. Rounds are interleaved so machine noise hits
 * every contender alike; results are ratios to standardwebhooks, never absolute claims.
 */
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import {
  buildInterruptionEvent,
  buildPushEvent,
  buildRecordFileEvent,
  buildSnapshotEvent,
  createCallbackRequest,
  standardWebhooksSecret,
  verify,
} from "../src/index.js";

const key = "BenchCallbackKey2024";
const facts = {
  appid: 12345678,
  app: "push.example.com",
  appname: "live",
  stream_id: "bench_stream",
  event_time: Math.floor(Date.now() / 1000),
  sequence: "2210464508206756938",
  node: "10.0.0.1",
  user_ip: "203.0.113.7",
  stream_param: "txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099",
  set_id: 2,
  idc_id: 34,
  width: 1280,
  height: 720,
};
const bodies = [
  buildPushEvent(facts),
  buildInterruptionEvent({ ...facts, errcode: 3, pushDurationMs: 128_581 }),
  buildRecordFileEvent({
    appid: 12345678,
    app: "push.example.com",
    appname: "live",
    stream_id: "bench_stream",
    stream_param: "",
    file_id: "rec_1",
    file_format: "mp4",
    task_id: "task_1",
    startedAtMs: Date.now() - 60_000,
    endedAtMs: Date.now(),
    durationSeconds: 60,
    file_size: 7_340_032,
    video_url: "http://127.0.0.1:8080/files/rec_1.mp4",
    media_start_time: 0,
  }),
  buildSnapshotEvent({
    appid: 12345678,
    app: "push.example.com",
    appname: "live",
    stream_id: "bench_stream",
    stream_param: "",
    create_time: Math.floor(Date.now() / 1000),
    file_size: 30_670,
    width: 1280,
    height: 720,
    pic_url: "/2026-11-24/bench_stream-screenshot-10-12-05-1280x720.jpg",
    baseUrl: "http://127.0.0.1:8080/files/snapshots",
  }),
];
const requests = bodies.map((body, i) =>
  createCallbackRequest({ body, keys: [key], webhookId: `msg_bench_${i}`, nowMs: Date.now() }),
);
const svixHeaders = requests.map((r) => ({
  "svix-id": r.headers["webhook-id"]!,
  "svix-timestamp": r.headers["webhook-timestamp"]!,
  "svix-signature": r.headers["webhook-signature"]!,
}));

const secret = standardWebhooksSecret(key);
const standard = new StandardWebhook(secret);
const svix = new SvixWebhook(secret);

const contenders: { name: string; run: (i: number) => unknown }[] = [
  {
    name: "standardwebhooks verify",
    run: (i) => standard.verify(requests[i]!.body, requests[i]!.headers),
  },
  { name: "svix verify", run: (i) => svix.verify(requests[i]!.body, svixHeaders[i]!) },
  {
    name: "@onair/callbacks verify+parse (sign + webhook-signature)",
    run: (i) => verify(requests[i]!.body, requests[i]!.headers, { key }),
  },
  {
    name: "@onair/callbacks verify+parse (sign only, as Tencent sends)",
    run: (i) => verify(requests[i]!.body, { "content-type": "application/json" }, { key }),
  },
];

// Every contender must accept every payload before anything is timed.
for (const c of contenders) for (let i = 0; i < requests.length; i++) c.run(i);

const OPS_PER_ROUND = 5_000;
const ROUNDS = 12;
const totals = new Map(contenders.map((c) => [c.name, 0n]));
for (let round = -2; round < ROUNDS; round++) {
  for (const c of contenders) {
    const start = process.hrtime.bigint();
    for (let n = 0; n < OPS_PER_ROUND; n++) c.run(n % requests.length);
    const elapsed = process.hrtime.bigint() - start;
    if (round >= 0) totals.set(c.name, totals.get(c.name)! + elapsed);
  }
}

const opsPerSecond = (name: string) => (OPS_PER_ROUND * ROUNDS * 1e9) / Number(totals.get(name)!);
const baseline = opsPerSecond("standardwebhooks verify");
console.log(
  `verify throughput, ${ROUNDS} interleaved rounds of ${OPS_PER_ROUND} ops (Node ${process.version})`,
);
console.log(`${"contender".padEnd(62)} ${"ops/s".padStart(10)}  ratio to standardwebhooks`);
for (const c of contenders) {
  const ops = opsPerSecond(c.name);
  console.log(
    `${c.name.padEnd(62)} ${Math.round(ops).toString().padStart(10)}  ${(ops / baseline).toFixed(2)}×`,
  );
}

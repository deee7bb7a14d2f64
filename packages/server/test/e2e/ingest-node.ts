/**
 * An OnAir node with RTMP ingest (PostgreSQL when NODE_DATABASE_URL is set, else SQLite), in its
 * own process so a test can kill -9 it.
 * Prints one JSON line with its ports once started.
 */
import { pino } from "pino";
import { startOnAir } from "../../src/app.js";
import { loadConfig } from "../../src/config/load-config.js";

const env = process.env;
const onair = await startOnAir(
  loadConfig({
    env: {},
    flags: {
      httpPort: 0,
      httpHost: "127.0.0.1",
      rtmpPort: 0,
      rtmpHost: "127.0.0.1",
      dataDir: env.NODE_DATA_DIR,
      ...(env.NODE_DATABASE_URL ? { databaseUrl: env.NODE_DATABASE_URL } : {}),
      nodeId: env.NODE_ID,
      recording: { minIntervalSeconds: 1 },
      secretId: "AKIDnodes",
      secretKey: "nodesSecretKey-0123456789",
      dispatcher: { pollIntervalMs: 50, leaseMs: 2000 },
      ingest: {
        defaultDomain: "multi.onair.test",
        idleTimeoutMs: 30_000,
        pushEventWaitMs: 0,
        nodeHeartbeatMs: 200,
        nodeStaleMs: 1500,
        commandPollMs: 100,
      },
    },
  }),
  { logger: pino({ level: env.ONAIR_TEST_LOG ?? "silent" }) },
);
process.stdout.write(`${JSON.stringify({ httpPort: onair.httpPort, rtmpPort: onair.rtmpPort })}\n`);
process.on("SIGTERM", () => {
  onair.stop().then(() => process.exit(0));
});

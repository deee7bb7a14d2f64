/**
 * An OnAir node with RTMP ingest (PostgreSQL when NODE_DATABASE_URL is set, else SQLite), in its
 * own process so a test can kill -9 it.
 * Prints one JSON line with its ports once started.
 */
import { startTestOnAir } from "../helpers/test-onair.js";

const env = process.env;
const { onair } = await startTestOnAir({
  rtmp: true,
  dataDir: env.NODE_DATA_DIR,
  flags: {
    ...(env.NODE_DATABASE_URL ? { databaseUrl: env.NODE_DATABASE_URL } : {}),
    nodeId: env.NODE_ID,
    recording: { minIntervalSeconds: 1 },
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
});
process.stdout.write(`${JSON.stringify({ httpPort: onair.httpPort, rtmpPort: onair.rtmpPort })}\n`);
process.on("SIGTERM", () => {
  onair.stop().then(() => process.exit(0));
});

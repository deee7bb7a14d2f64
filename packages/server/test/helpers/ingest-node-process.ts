import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Client as LiveClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/live/v20180801/live_client.js";
import { TEST_SECRET_ID, TEST_SECRET_KEY } from "./test-onair.js";

export interface IngestNodeProcess {
  child: ChildProcess;
  httpPort: number;
  rtmpPort: number;
  /** The management API of this node, with the test credentials. */
  sdk: LiveClient;
}

/**
 * Starts e2e/ingest-node.js in its own process (so a test can kill -9 it) with `env`
 * (NODE_ID, NODE_DATA_DIR, NODE_DATABASE_URL) and resolves once it printed its ports.
 */
export async function spawnIngestNode(env: Record<string, string>): Promise<IngestNodeProcess> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("../e2e/ingest-node.js", import.meta.url))],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const ports = await new Promise<{ httpPort: number; rtmpPort: number }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`node ${env.NODE_ID} exited with ${code}`)));
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line)));
  });
  const sdk = new LiveClient({
    credential: { secretId: TEST_SECRET_ID, secretKey: TEST_SECRET_KEY },
    region: "",
    profile: { httpProfile: { endpoint: `127.0.0.1:${ports.httpPort}`, protocol: "http://" } },
  });
  return { child, ...ports, sdk };
}

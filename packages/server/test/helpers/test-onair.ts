import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { type OnAir, startOnAir } from "../../src/app.js";
import { loadConfig } from "../../src/config/load-config.js";
import { testLogger } from "./log-capture.js";
import { endpointClient, type LiveClient } from "./sdk-clients.js";
import { dropSchemas, schemaUrl, uniqueSchema } from "./test-database.js";

export const TEST_SECRET_ID = "AKIDonairTest0001";
export const TEST_SECRET_KEY = "onairTestSecretKey-0123456789";
/** The intake bearer and the hook token: secrets of their own, not the SecretKey. */
export const TEST_INTAKE_TOKEN = "onairTestIntakeToken-0123456789";
export const TEST_HOOK_TOKEN = "onairTestHookToken-0123456789";

export interface TestOnAirOptions {
  /** Config keys over the test defaults, as `--config` JSON would give them. */
  flags?: Record<string, unknown>;
  /** Accept RTMP on a loopback port (default: ingest disabled). */
  rtmp?: boolean;
  /** Keep the tables in a fresh PostgreSQL schema (dropped by stop) instead of SQLite. */
  postgres?: boolean;
  /** Let OnAir generate its secrets into credentials.json instead of the test ones. */
  generatedSecrets?: boolean;
  /** Run on this directory, which the caller owns (stop leaves it); default a fresh temp dir. */
  dataDir?: string;
  /** Runs on the fresh data directory before OnAir starts (seed a database, plant files). */
  prepare?: (dataDir: string) => void | Promise<void>;
  logger?: Logger;
}

export interface TestOnAir {
  onair: OnAir;
  dataDir: string;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  httpUrl: string;
  /** `rtmp://127.0.0.1:<port>/<path>`; throws when RTMP is off. */
  rtmpUrl(path: string): string;
  secretId: string;
  secretKey: string;
  /** tencentcloud-sdk-nodejs pointed at this node with secretId/secretKey. */
  sdk: LiveClient;
  intakeToken: string;
  hookToken: string;
  /** The PostgreSQL schema when `postgres` was asked for. */
  schema: string | undefined;
  /** Stops OnAir, then removes what the helper created (temp dir, schema). Idempotent. */
  stop(): Promise<void>;
}

/**
 * OnAir booted as `onair start` would boot it (loadConfig with no environment), bound to port
 * 0 on loopback with a temp data directory and test credentials.
 */
export async function startTestOnAir(options: TestOnAirOptions = {}): Promise<TestOnAir> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "onair-test-"));
  const schema = options.postgres ? uniqueSchema("onair_test") : undefined;
  const cleanUp = async () => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchemas(schema);
  };
  const credentials = options.generatedSecrets
    ? {}
    : {
        secretId: TEST_SECRET_ID,
        secretKey: TEST_SECRET_KEY,
        intakeToken: TEST_INTAKE_TOKEN,
        hookToken: TEST_HOOK_TOKEN,
      };
  const flags: Record<string, unknown> = {
    httpPort: 0,
    httpHost: "127.0.0.1",
    ...(options.rtmp ? { rtmpPort: 0, rtmpHost: "127.0.0.1" } : { ingest: { enabled: false } }),
    dataDir,
    ...(schema ? { databaseUrl: schemaUrl(schema) } : {}),
    ...credentials,
    ...options.flags,
  };
  if (!options.rtmp) flags.ingest = { ...(flags.ingest as object), enabled: false };
  let onair: OnAir;
  try {
    await options.prepare?.(dataDir);
    onair = await startOnAir(loadConfig({ env: {}, flags }), {
      logger: options.logger ?? testLogger(),
    });
  } catch (err) {
    await cleanUp();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  const secretId = String(flags.secretId ?? "");
  const secretKey = String(flags.secretKey ?? "");
  return {
    onair,
    dataDir,
    httpUrl: `http://127.0.0.1:${onair.httpPort}`,
    rtmpUrl(path) {
      if (onair.rtmpPort === null) throw new Error("this OnAir was started without RTMP");
      return `rtmp://127.0.0.1:${onair.rtmpPort}/${path}`;
    },
    secretId,
    secretKey,
    sdk: endpointClient(onair.httpPort, { secretId, secretKey }),
    intakeToken: String(flags.intakeToken ?? ""),
    hookToken: String(flags.hookToken ?? ""),
    schema,
    stop() {
      stopped ??= onair.stop().finally(cleanUp);
      return stopped;
    },
  };
}

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiRoute } from "../../../src/api/api-route.js";
import { configSchema, type OnAirConfig } from "../../../src/config/schema.js";
import type { Clock } from "../../../src/domain/clock.js";
import { createNodeEvents } from "../../../src/observability/node-events.js";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import * as sdk from "../../helpers/sdk-clients.js";

export { LiveClient, LoopbackAgent } from "../../helpers/sdk-clients.js";

export const SECRET_ID = "AKIDonairApiTest0001";
export const SECRET_KEY = "onair-api-test-secret-key";

/** A clock tests can move; starts at the real time (the SDK signs with the real time). */
export class TestClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

export interface ApiServer {
  port: number;
  url: string;
  store: Store;
  config: OnAirConfig;
  clock: TestClock;
  wakes: number;
  /** Host header and credential scope of every request received (never the signature). */
  seen: { host: string; scope: string }[];
  close(): Promise<void>;
}

/**
 * The management API on a real node:http server (127.0.0.1, port 0) over a real SQLite store in
 * a fresh temporary directory.
 */
export async function startApiServer(
  overrides: Partial<Record<keyof OnAirConfig, unknown>> = {},
): Promise<ApiServer> {
  // The SDK routes through $http_proxy when no agent is given: keep test traffic on loopback.
  for (const name of ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]) {
    delete process.env[name];
  }
  const dataDir = mkdtempSync(join(tmpdir(), "onair-api-"));
  const config = Object.freeze(
    configSchema.parse({
      dataDir,
      httpPort: 0,
      httpHost: "127.0.0.1",
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      ...overrides,
    }),
  );
  const store = createSqliteStore({ path: join(dataDir, "onair.db") });
  await store.migrate();
  const clock = new TestClock();
  const state = { wakes: 0 };
  const nodeEvents = createNodeEvents((_name, err) => {
    throw err;
  });
  // What the dispatcher would wake on.
  nodeEvents.on("deliveries.requeued", () => {
    state.wakes++;
  });
  const seen: ApiServer["seen"] = [];
  const route = createApiRoute({
    store,
    config,
    clock,
    credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    nodeEvents,
  });
  const server: Server = createServer((req, res) => {
    const scope = /Credential=[^/]+\/([^,]+)/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    seen.push({ host: req.headers.host ?? "", scope });
    route(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    store,
    config,
    clock,
    seen,
    get wakes() {
      return state.wakes;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const API_CREDENTIAL: sdk.Credential = { secretId: SECRET_ID, secretKey: SECRET_KEY };

/** The SDK by endpoint (docs/api.md), with this server's credentials unless told otherwise. */
export const endpointClient = (port: number, credential = API_CREDENTIAL) =>
  sdk.endpointClient(port, credential);

/** The SDK by agent on the real endpoint, with this server's credentials unless told otherwise. */
export const agentClient = (port: number, credential = API_CREDENTIAL) =>
  sdk.agentClient(port, credential);

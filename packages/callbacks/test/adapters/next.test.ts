import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import nextModule from "next";
import { adapterMatrix } from "./adapter-matrix.js";

// The fixture app lives beside this test's source (compiled tests run from dist/test/adapters).
const appDir = fileURLToPath(new URL("../../../test/adapters/next-app", import.meta.url));
// `next` is CommonJS: at run time the default import is the factory, but its types describe
// the ESM namespace under NodeNext.
const next = nextModule as unknown as typeof nextModule.default;
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");

adapterMatrix("Next.js (App Router, real `next build` + Next server)", async (options) => {
  (globalThis as { __onairAdapterOptions?: unknown }).__onairAdapterOptions = options;
  await promisify(execFile)(process.execPath, [nextBin, "build", appDir], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    timeout: 180_000,
  });
  const app = next({ dev: false, dir: appDir, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => void handle(req, res)).listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/callbacks`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
});

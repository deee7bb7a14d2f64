/**
 * node-media-server from npm, run by its own CLI in a child process: RTMP only, no admin; with
 * `http: true` also its HTTP server, for HTTP-FLV play (`/app/stream.flv`).
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { freePort, spawnTarget, type Target, tempDir, waitForPort } from "./target.js";

export async function startNodeMediaServer(options: { http?: boolean } = {}): Promise<Target> {
  const cli = createRequire(import.meta.url).resolve("node-media-server/bin/app.js");
  const dir = tempDir("onair-bench-nms-");
  const port = await freePort();
  const httpPort = options.http ? await freePort() : 0;
  const config = join(dir.path, "config.json");
  // No http/https/rtmps/record sections: those servers then never start. A set auth secret and
  // no JWT users keep the CLI from generating credentials and rewriting this file.
  writeFileSync(
    config,
    JSON.stringify({
      bind: "127.0.0.1",
      rtmp: { port },
      ...(httpPort ? { http: { port: httpPort } } : {}),
      store: { path: join(dir.path, "data") },
      auth: { play: false, publish: false, secret: "bench" },
      webadmin: { enable: false },
      notify: { url: "" },
    }),
  );
  const server = spawnTarget(process.execPath, [cli, "-c", config]);
  try {
    await waitForPort(port, server.child);
    if (httpPort) await waitForPort(httpPort, server.child);
  } catch (error) {
    await server.stop();
    dir.remove();
    throw new Error(`node-media-server: ${(error as Error).message}\n${server.output()}`);
  }
  return {
    name: "node-media-server",
    pid: server.child.pid!,
    rtmpPort: port,
    ...(httpPort ? { httpPort } : {}),
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}

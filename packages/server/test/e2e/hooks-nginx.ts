/**
 * A real nginx with Debian's RTMP module for the hook tests, started the way
 * bench/ingest/nginx-target.ts does it (own prefix, `daemon off`, `user root` so the worker can
 * write recordings under any umask), with its hooks pointed at OnAir.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for.js";

const MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

export interface HookedNginx {
  rtmpPort: number;
  recordDir: string;
  rtmpUrl(path: string): string;
  /** nginx's error log, for assertion messages. */
  log(): string;
  /**
   * Stops nginx: gracefully (SIGQUIT: its worker finishes open sessions first), or at once with
   * `fast` (SIGTERM: every connection is cut, as when a target goes away).
   */
  stop(options?: { fast?: boolean }): Promise<void>;
}

function ensureInstalled(): void {
  const hasNginx = spawnSync("sh", ["-c", "command -v nginx"], { stdio: "ignore" }).status === 0;
  if (hasNginx && existsSync(MODULE)) return;
  // policy-rc.d keeps the packaged service from starting; the test runs its own instance.
  execFileSync(
    "apt-get",
    ["install", "-y", "--no-install-recommends", "nginx", "libnginx-mod-rtmp"],
    { stdio: "inherit", timeout: 600_000 },
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    `nginx to listen on ${port}`,
    () => {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
      return new Promise<boolean>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Starts nginx-rtmp with `application live` hooked to `hookUrl` and recording every 2 s. */
export async function startHookedNginx(options: {
  hookUrl: string;
  /** Where nginx records (an existing folder); default a new one beside its config. */
  recordDir?: string;
  /** The RTMP port (default a free one): a test restarting nginx keeps its address. */
  port?: number;
}): Promise<HookedNginx> {
  ensureInstalled();
  const dir = mkdtempSync(join(tmpdir(), "onair-hooks-nginx-"));
  chmodSync(dir, 0o755);
  const recordDir = options.recordDir ?? join(dir, "rec");
  if (!options.recordDir) mkdirSync(recordDir);
  const port = options.port ?? (await freePort());
  const config = join(dir, "nginx.conf");
  const errorLog = join(dir, "error.log");
  writeFileSync(
    config,
    `load_module ${MODULE};
user root;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${errorLog} info;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live {
      live on;
      record all;
      record_path ${recordDir};
      record_unique on;
      record_interval 2s;
      on_publish ${options.hookUrl};
      on_publish_done ${options.hookUrl};
      on_record_done ${options.hookUrl};
    }
  }
}
`,
  );
  const child = spawn("nginx", ["-p", dir, "-c", config, "-e", errorLog, "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const log = () => {
    try {
      return `${stderr}${execFileSync("tail", ["-n", "40", errorLog]).toString()}`;
    } catch {
      return stderr;
    }
  };
  const stop = async (how: { fast?: boolean } = {}) => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // Graceful: the master reaps its worker. Fast: the worker exits at once, cutting sessions.
      child.kill(how.fast ? "SIGTERM" : "SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child);
  } catch (err) {
    const text = log();
    await stop();
    throw new Error(`${(err as Error).message}\n${text}`);
  }
  return {
    rtmpPort: port,
    recordDir,
    rtmpUrl: (path) => `rtmp://127.0.0.1:${port}/${path}`,
    log,
    stop,
  };
}

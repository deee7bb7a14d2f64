/** nginx with Debian's RTMP module, as the baseline: one worker, live application, no recording. */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, spawnTarget, type Target, tempDir, waitForPort } from "./target.js";

const MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

function ensureInstalled(): void {
  const hasNginx = spawnSync("sh", ["-c", "command -v nginx"], { stdio: "ignore" }).status === 0;
  if (hasNginx && existsSync(MODULE)) return;
  console.error("nginx-rtmp missing: apt-get install -y nginx libnginx-mod-rtmp");
  // policy-rc.d keeps the packaged service from starting; we run our own instance.
  execFileSync(
    "apt-get",
    ["install", "-y", "--no-install-recommends", "nginx", "libnginx-mod-rtmp"],
    { stdio: "inherit", timeout: 600_000 },
  );
}

/**
 * `applications`: the `application` blocks of its server (default: `live`, no recording).
 * `hls`: the live application also segments with the RTMP module's HLS (MPEG-TS segments of
 * `hls_fragment`, written under the prefix), and an HTTP server on `httpPort` serves them as
 * `/hls/STREAM.m3u8` and `/hls/STREAM-N.ts`.
 */
export async function startNginxRtmp(
  options: { hls?: boolean; applications?: string } = {},
): Promise<Target> {
  ensureInstalled();
  const dir = tempDir("onair-bench-nginx-");
  // The worker runs as `user`; root keeps it able to read the prefix under any umask.
  chmodSync(dir.path, 0o755);
  const port = await freePort();
  const httpPort = options.hls ? await freePort() : undefined;
  const hlsPath = join(dir.path, "hls");
  const application = options.hls
    ? `application live { live on; record off; hls on; hls_path ${hlsPath}; hls_fragment 2s; hls_playlist_length 12s; }`
    : "application live { live on; record off; }";
  const http = options.hls
    ? `http {
  access_log off;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen 127.0.0.1:${httpPort};
    location /hls/ { alias ${hlsPath}/; add_header Cache-Control no-cache; }
  }
}
`
    : "";
  const config = join(dir.path, "nginx.conf");
  writeFileSync(
    config,
    `load_module ${MODULE};
user root;
worker_processes 1;
pid ${join(dir.path, "nginx.pid")};
error_log ${join(dir.path, "error.log")} warn;
events { worker_connections 1024; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    ${options.applications ?? application}
  }
}
${http}`,
  );
  // -e keeps nginx off /var/log before it has read the config.
  const server = spawnTarget("nginx", [
    ...["-p", dir.path, "-c", config, "-e", join(dir.path, "error.log")],
    ...["-g", "daemon off;"],
  ]);
  try {
    await waitForPort(port, server.child);
  } catch (error) {
    await server.stop();
    dir.remove();
    throw new Error(`nginx-rtmp: ${(error as Error).message}\n${server.output()}`);
  }
  return {
    name: "nginx-rtmp",
    pid: server.child.pid!,
    rtmpPort: port,
    ...(httpPort === undefined ? {} : { httpPort }),
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}

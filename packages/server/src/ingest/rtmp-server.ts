import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import type { ViewerPolicy } from "../media/live-viewer.js";
import { rateLimitedLog } from "../observability/rate-limited-log.js";
import { ConnectionLimits, type ConnectionLimitsOptions } from "./connection-limits.js";
import { ReadCoalescer } from "./read-coalescer.js";
import type { ChunkParserLimits } from "./rtmp/chunk-parser.js";
import type { PlayHost } from "./session/play-host.js";
import type { PublishHost } from "./session/publish-host.js";
import { RtmpSession } from "./session/rtmp-session.js";

/** The embedded RTMP ingest: one `RtmpSession` per TCP connection. */
export interface RtmpServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Figures for monitoring: connections open, bytes held for unfinished messages, refusals. */
  stats(): RtmpServerStats;
  /** Stops accepting and closes every connection still open. */
  close(): Promise<void>;
}

export interface RtmpServerStats {
  openConnections: number;
  pendingBytes: number;
  /** Connections closed on accept since start (over `maxConnections` or `maxConnectionsPerIp`). */
  refusedConnections: number;
}

export async function startRtmpServer(options: {
  host: string;
  port: number;
  publishHost: PublishHost;
  /** RTMP play; without it `play` is refused. */
  play?: { host: PlayHost; policy: ViewerPolicy };
  logger: Logger;
  session: {
    limits: { prePublish: ChunkParserLimits; publishing: ChunkParserLimits };
    idleTimeoutMs: number;
    handshakeTimeoutMs: number;
    defaultDomain: string | null;
  };
  connections: ConnectionLimitsOptions;
  /** Read coalescing interval (0: read as data arrives). */
  readCoalesceMs: number;
  now: () => number;
}): Promise<RtmpServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const coalescer = options.readCoalesceMs > 0 ? new ReadCoalescer(options.readCoalesceMs) : null;
  const shared = new ConnectionLimits(options.connections);
  // A connection flood would otherwise log a line per refused socket.
  const logRefused = rateLimitedLog(options.logger, "warn", "RTMP connection refused", 1000);
  let refusedConnections = 0;
  const server: Server = createServer((socket) => {
    const ip = socket.remoteAddress ?? "";
    const admission = shared.admit(ip);
    if (!admission.admitted) {
      refusedConnections++;
      logRefused({ clientIp: ip, reason: admission.reason });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      shared.release(ip);
      coalescer?.release(socket);
    });
    const id = `rtmp-${++connections}`;
    const session = new RtmpSession(socket, {
      ...options.session,
      shared,
      id,
      host: options.publishHost,
      ...(options.play ? { play: options.play } : {}),
      logger: options.logger,
      now: options.now,
    });
    // After the session's own 'data' listener: this read is handled, the next one can wait —
    // only once media flows, so the handshake and command round trips are not slowed.
    if (coalescer) {
      socket.on("data", (data: Buffer) => {
        if (session.publishing) coalescer.afterRead(socket, data.length);
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => options.logger.error({ err }, "RTMP server error"));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    stats: () => ({
      openConnections: shared.openConnections,
      pendingBytes: shared.pendingBytes,
      refusedConnections,
    }),
    async close() {
      coalescer?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

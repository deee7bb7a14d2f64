import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import { ReadCoalescer } from "./read-coalescer.js";
import type { PublishHost } from "./session/publish-host.js";
import { RtmpSession } from "./session/rtmp-session.js";

/** The embedded RTMP ingest: one `RtmpSession` per TCP connection. */
export interface RtmpServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops accepting and closes every connection still open. */
  close(): Promise<void>;
}

export async function startRtmpServer(options: {
  host: string;
  port: number;
  publishHost: PublishHost;
  logger: Logger;
  session: {
    maxMessageBytes: number;
    idleTimeoutMs: number;
    handshakeTimeoutMs: number;
    defaultDomain: string | null;
  };
  /** Read coalescing interval (0: read as data arrives). */
  readCoalesceMs: number;
  now: () => number;
}): Promise<RtmpServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const coalescer = options.readCoalesceMs > 0 ? new ReadCoalescer(options.readCoalesceMs) : null;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      coalescer?.release(socket);
    });
    const id = `rtmp-${++connections}`;
    const session = new RtmpSession(socket, {
      ...options.session,
      id,
      host: options.publishHost,
      logger: options.logger,
      now: options.now,
    });
    // After the session's own 'data' listener: this read is handled, the next one can wait —
    // only once media flows, so the handshake and command round trips are not slowed.
    if (coalescer) {
      socket.on("data", () => {
        if (session.publishing) coalescer.afterRead(socket);
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
    async close() {
      coalescer?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

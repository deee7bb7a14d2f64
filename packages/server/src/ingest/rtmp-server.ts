import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
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
  now: () => number;
}): Promise<RtmpServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    const id = `rtmp-${++connections}`;
    new RtmpSession(socket, {
      ...options.session,
      id,
      host: options.publishHost,
      logger: options.logger,
      now: options.now,
    });
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";
import type { Logger } from "pino";
import type { ViewerPolicy } from "../media/live-viewer.js";
import { rateLimitedLog } from "../observability/rate-limited-log.js";
import { ConnectionLimits, type ConnectionLimitsOptions } from "./connection-limits.js";
import { ReadCoalescer } from "./read-coalescer.js";
import type { ChunkParserLimits } from "./rtmp/chunk-parser.js";
import type { PlayHost } from "./session/play-host.js";
import type { PublishHost } from "./session/publish-host.js";
import { RtmpSession } from "./session/rtmp-session.js";
import { readDataEvents, readIntoSharedBuffer } from "./shared-read-buffer.js";

/**
 * The embedded RTMP ingest: one `RtmpSession` per TCP connection, on the RTMP port and, when
 * configured, on the RTMPS port (the same session over TLS, docs/relay.md).
 */
export interface RtmpServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** The RTMPS port actually bound; null without RTMPS. */
  readonly rtmpsPort: number | null;
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
  /** RTMPS connections closed before their TLS handshake completed (bad TLS, timeout). */
  tlsFailures: number;
}

/** The RTMPS listener: where, and the PEM certificate chain and key it presents. */
export interface RtmpsListenOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
}

export async function startRtmpServer(options: {
  host: string;
  port: number;
  rtmps?: RtmpsListenOptions;
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
  /** Read plain-RTMP sockets into the node's one read buffer (shared-read-buffer.ts). */
  sharedReadBuffer: boolean;
  now: () => number;
}): Promise<RtmpServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const coalescer = options.readCoalesceMs > 0 ? new ReadCoalescer(options.readCoalesceMs) : null;
  const shared = new ConnectionLimits(options.connections);
  // A connection flood would otherwise log a line per refused socket.
  const logRefused = rateLimitedLog(options.logger, "warn", "RTMP connection refused", 1000);
  let refusedConnections = 0;
  const logTlsFailure = rateLimitedLog(options.logger, "warn", "RTMPS handshake failed", 1000);
  let tlsFailures = 0;
  const startSession = (socket: Socket): RtmpSession => {
    const id = `rtmp-${++connections}`;
    return new RtmpSession(socket, {
      ...options.session,
      shared,
      id,
      host: options.publishHost,
      ...(options.play ? { play: options.play } : {}),
      logger: options.logger,
      now: options.now,
    });
  };
  /**
   * Every accepted TCP connection, RTMP or RTMPS, is admitted by the same limits, so a TLS
   * handshake holds a connection slot like an RTMP handshake does.
   */
  const accept = (accepted: Socket, tls: SecureContext | null) => {
    const ip = accepted.remoteAddress ?? "";
    const admission = shared.admit(ip);
    if (!admission.admitted) {
      refusedConnections++;
      logRefused({ clientIp: ip, reason: admission.reason });
      accepted.destroy();
      return;
    }
    if (tls) {
      track(accepted, ip);
      acceptTls(accepted, tls, ip);
      return;
    }
    let session: RtmpSession | null = null;
    const onRead = (bytes: Buffer) => {
      if (!session) return;
      session.receive(bytes);
      // This read is handled, the next one can wait — only once media flows, so the handshake
      // and command round trips are not slowed.
      if (coalescer && session.publishing) coalescer.afterRead(socket, bytes.length);
    };
    const socket = options.sharedReadBuffer
      ? readIntoSharedBuffer(accepted, server, onRead)
      : readDataEvents(accepted, onRead);
    track(socket, ip);
    session = startSession(socket);
  };
  const track = (socket: Socket, ip: string) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      shared.release(ip);
      coalescer?.release(socket);
    });
  };
  const acceptTls = (socket: Socket, secureContext: SecureContext, ip: string) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext });
    const fail = (reason: string) => {
      clearTimeout(timer);
      tlsFailures++;
      logTlsFailure({ clientIp: ip, reason });
      socket.destroy();
    };
    const onError = (err: NodeJS.ErrnoException) => fail(err.code ?? err.message);
    // The TLS handshake is part of the connection's handshake time (ingest.handshakeTimeoutMs).
    const timer = setTimeout(
      () => fail(`no TLS handshake within ${options.session.handshakeTimeoutMs} ms`),
      options.session.handshakeTimeoutMs,
    );
    timer.unref();
    secure.on("error", onError);
    secure.once("close", () => clearTimeout(timer));
    secure.once("secure", () => {
      clearTimeout(timer);
      secure.off("error", onError);
      // The session listens for errors from here on (a TLS error is a TCP error, errcode 4).
      // Reads are not coalesced: the TLS layer reads the TCP socket on its own schedule.
      const session = startSession(secure);
      secure.on("data", (bytes: Buffer) => session.receive(bytes));
    });
  };
  // Paused on accept: `readIntoSharedBuffer` re-creates the socket before anything is read.
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => accept(socket, null));
  await listen(server, options.port, options.host);
  server.on("error", (err) => options.logger.error({ err }, "RTMP server error"));
  const port = (server.address() as AddressInfo).port;
  let rtmps: Server | null = null;
  if (options.rtmps) {
    const secureContext = createSecureContext({
      cert: options.rtmps.cert,
      key: options.rtmps.key,
    });
    const tlsServer = createServer((socket) => accept(socket, secureContext));
    try {
      await listen(tlsServer, options.rtmps.port, options.rtmps.host);
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw err;
    }
    tlsServer.on("error", (err) => options.logger.error({ err }, "RTMPS server error"));
    rtmps = tlsServer;
  }
  return {
    port,
    rtmpsPort: rtmps ? (rtmps.address() as AddressInfo).port : null,
    stats: () => ({
      openConnections: shared.openConnections,
      pendingBytes: shared.pendingBytes,
      refusedConnections,
      tlsFailures,
    }),
    async close() {
      coalescer?.close();
      const closed = Promise.all(
        [server, rtmps].map(
          (s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve())),
        ),
      );
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

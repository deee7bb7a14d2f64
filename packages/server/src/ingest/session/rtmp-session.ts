import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { Errcode } from "@onair/callbacks";
import type { Logger } from "pino";
import type { FlvTag } from "../../media/flv-tag.js";
import type { ViewerPolicy } from "../../media/live-viewer.js";
import { sharedEncoding } from "../../media/shared-encoding.js";
import { liveWrites } from "../../media/write-batching.js";
import type { ConnectionLimits } from "../connection-limits.js";
import { type AmfValue, decodeAmf0, encodeAmf0 } from "../rtmp/amf0.js";
import { ChunkParser, type ChunkParserLimits } from "../rtmp/chunk-parser.js";
import { encodeChunks } from "../rtmp/chunk-writer.js";
import {
  HANDSHAKE_PACKET_BYTES,
  HANDSHAKE_REQUEST_BYTES,
  handshakeReply,
} from "../rtmp/handshake.js";
import { MessageType, type RtmpMessage, UserControlEvent } from "../rtmp/message-types.js";
import {
  acknowledgement,
  onFcPublish,
  onStatus,
  pingResponse,
  result,
  setChunkSize,
  setPeerBandwidth,
  streamBegin,
  windowAckSize,
} from "../rtmp/messages.js";
import { RtmpProtocolError } from "../rtmp/protocol-error.js";
import type { PlayHost } from "./play-host.js";
import type { ActivePublish, PublishHost, PublishRefusalCode } from "./publish-host.js";
import { parsePublishTarget } from "./publish-target.js";
import { RtmpPlayer, rtmpPlayRequest } from "./rtmp-player.js";

/**
 * One RTMP connection: the wiring between a socket, the pure protocol modules and the
 * live-stream service. It answers the publish command flow (connect, releaseStream, FCPublish,
 * createStream, publish, FCUnpublish, deleteStream, closeStream), hands `play` to an
 * `RtmpPlayer` (rtmp-player.ts), turns media messages into FLV
 * tags, and ends an accepted publish exactly once with the errcode of the first thing that
 * happened (Tencent 267/31083): deleteStream 1, closeStream (or FCUnpublish then a close) 2, FIN 3, a TCP
 * error 4, malformed RTMP 6, an oversized message 7, no media for `idleTimeoutMs` 8, malformed
 * AMF 33, dropped by the service 21.
 */
export interface RtmpSessionOptions {
  id: string;
  host: PublishHost;
  /** Playback (rtmp-player.ts); without it `play` is refused. */
  play?: { host: PlayHost; policy: ViewerPolicy };
  logger: Logger;
  /** What one connection may hold before it publishes, and once it does (docs/security.md). */
  limits: { prePublish: ChunkParserLimits; publishing: ChunkParserLimits };
  /** Bounds shared by every connection of the server. */
  shared: ConnectionLimits;
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** Push domain for clients that connect by IP without `domain=`; null: the host itself. */
  defaultDomain: string | null;
  now: () => number;
}

const OUT_CHUNK_SIZE = 4096;
const WINDOW_ACK_SIZE = 2_500_000;
/** Time for a closing socket to flush before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

type Phase = "handshake" | "handshake-ack" | "chunks" | "closed";

export class RtmpSession {
  private phase: Phase = "handshake";
  private handshakeBytes: Buffer = Buffer.alloc(0);
  private readonly parser: ChunkParser;
  private app = "";
  private tcUrl = "";
  private nextStreamId = 1;
  /** The message stream of the publish in progress (authorizing or live). */
  private publishStreamId: number | null = null;
  private publish: ActivePublish | null = null;
  private player: RtmpPlayer | null = null;
  /** FCUnpublish seen: a close that follows is the client stopping (errcode 2), not a crash. */
  private unpublishRequested = false;
  private lastMediaAt = 0;
  private peerWindow = 0;
  private lastAckAt = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt: number;
  /** Since when the connection has had no publish (its start, or the last publish's end). */
  private idleSince: number;
  /** This connection's pending bytes as counted in `options.shared`. */
  private countedPending = 0;

  constructor(
    private readonly socket: Socket,
    private readonly options: RtmpSessionOptions,
  ) {
    this.parser = new ChunkParser(options.limits.prePublish);
    this.startedAt = options.now();
    this.idleSince = this.startedAt;
    socket.setNoDelay(true);
    // Keepalive turns a silently vanished encoder into a TCP error instead of a lingering publish.
    socket.setKeepAlive(true, 10_000);
    socket.on("end", () =>
      this.finish(this.unpublishRequested ? 2 : 3, "client closed the TCP connection"),
    );
    socket.on("error", (err: NodeJS.ErrnoException) =>
      this.finish(4, `TCP error: ${err.code ?? err.message}`),
    );
    socket.on("close", () => this.finish(this.unpublishRequested ? 2 : 3, "connection closed"));
    const tick = Math.max(100, Math.min(1000, Math.floor(options.idleTimeoutMs / 4)));
    this.timer = setInterval(() => this.checkTimers(), tick);
    this.timer.unref();
  }

  /** A publish is live: its media may be read in batches (the handshake and commands never are). */
  get publishing(): boolean {
    return this.publish !== null;
  }

  /** Ends the connection from the server side (Drop, Forbid, a replacing publisher, shutdown). */
  drop(errcode: number, detail: string): void {
    this.finish(errcode, detail);
  }

  /**
   * The bytes of one read of the socket (whoever reads it calls this: rtmp-server.ts). They may
   * be overwritten once this returns; nothing here keeps them.
   */
  receive(data: Buffer): void {
    if (this.phase === "closed") return;
    try {
      if (this.phase !== "chunks") {
        const rest = this.readHandshake(data);
        if (!rest || rest.length === 0) return;
        data = rest;
      }
      const messages = this.parser.push(data);
      this.countPending();
      for (const message of messages) {
        this.onMessage(message);
        // onMessage may have closed the session; TypeScript cannot see that through the call.
        if ((this.phase as Phase) === "closed") return;
      }
      this.maybeAcknowledge();
    } catch (err) {
      if (err instanceof RtmpProtocolError) {
        this.options.logger.warn(
          {
            connection: this.options.id,
            clientIp: stripMappedPrefix(this.socket.remoteAddress ?? ""),
            errcode: err.errcode,
            detail: err.message,
          },
          "RTMP connection closed: bad or oversized input",
        );
        this.finish(err.errcode, err.message);
      } else {
        this.options.logger.error({ err, connection: this.options.id }, "RTMP session failed");
        this.finish(5, "internal error");
      }
    }
  }

  /** Moves this connection's pending bytes into the server-wide count; errcode 7 past its limit. */
  private countPending(): void {
    const pending = this.parser.pendingBytes;
    if (pending === this.countedPending) return;
    const fits = this.options.shared.resizePending(this.countedPending, pending);
    this.countedPending = fits ? pending : 0;
    if (!fits) {
      throw new RtmpProtocolError(
        Errcode.MessageTooLarge,
        `unfinished RTMP messages of all connections would exceed the server's limit (${pending} bytes on this one)`,
      );
    }
  }

  /** Consumes handshake bytes; returns what follows the handshake once it is complete. */
  private readHandshake(data: Buffer): Buffer | null {
    this.handshakeBytes = Buffer.concat([this.handshakeBytes, data]);
    if (this.phase === "handshake") {
      if (this.handshakeBytes.length < HANDSHAKE_REQUEST_BYTES) return null;
      this.socket.write(
        handshakeReply(this.handshakeBytes.subarray(0, HANDSHAKE_REQUEST_BYTES), {
          randomBytes,
          nowMs: this.options.now(),
        }),
      );
      this.handshakeBytes = this.handshakeBytes.subarray(HANDSHAKE_REQUEST_BYTES);
      this.phase = "handshake-ack";
    }
    if (this.handshakeBytes.length < HANDSHAKE_PACKET_BYTES) return null;
    const rest = this.handshakeBytes.subarray(HANDSHAKE_PACKET_BYTES); // C2's content is ignored
    this.handshakeBytes = Buffer.alloc(0);
    this.phase = "chunks";
    return rest;
  }

  private onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.windowAckSize:
        this.peerWindow = message.payload.length >= 4 ? message.payload.readUInt32BE(0) : 0;
        return;
      case MessageType.userControl:
        if (message.payload.length < 2)
          throw new RtmpProtocolError(Errcode.RtmpProtocolError, "short user control");
        if (message.payload.readUInt16BE(0) === UserControlEvent.pingRequest) {
          this.send(pingResponse(message.payload.subarray(2, 6)));
        }
        return;
      case MessageType.amf0Command:
        this.onCommand(decodeAmf0(message.payload), message);
        return;
      case MessageType.amf3Command:
        // AMF3 commands start with a 0x00 format byte, then AMF0 values.
        this.onCommand(decodeAmf0(message.payload.subarray(1)), message);
        return;
      case MessageType.amf0Data:
        this.onData0(decodeAmf0(message.payload), message);
        return;
      case MessageType.amf3Data:
        this.onData0(decodeAmf0(message.payload.subarray(1)), message);
        return;
      case MessageType.audio:
      case MessageType.video:
        this.onMedia({
          type: message.typeId as 8 | 9,
          timestamp: message.timestamp,
          data: message.payload,
        });
        return;
      case MessageType.aggregate:
        for (const tag of splitAggregate(message)) this.onMedia(tag);
        return;
      default:
        // Acknowledgement, Set Peer Bandwidth and unknown types carry nothing a publisher needs.
        return;
    }
  }

  private onCommand(values: AmfValue[], message: RtmpMessage): void {
    const [name, transactionId] = values;
    const tid = typeof transactionId === "number" ? transactionId : 0;
    switch (name) {
      case "connect":
        this.onConnect(values[2], tid);
        return;
      case "releaseStream":
      case "FCPublish":
        this.send(result(tid, null, undefined));
        if (name === "FCPublish") {
          this.send(onFcPublish());
        }
        return;
      case "createStream":
        this.send(result(tid, null, this.nextStreamId++));
        return;
      case "publish":
        this.onPublish(values[3], message.streamId || 1);
        return;
      case "FCUnpublish":
        this.unpublishRequested = true;
        return;
      case "deleteStream":
        this.endPublish(1, "client sent deleteStream");
        return;
      case "closeStream":
        this.endPublish(2, "client sent closeStream");
        return;
      case "play":
        this.onPlay(values[3], message.streamId || 1);
        return;
      default:
        if (tid !== 0) this.send(result(tid, null, undefined));
    }
  }

  private onConnect(commandObject: AmfValue, tid: number): void {
    const object = isObject(commandObject) ? commandObject : {};
    this.app = typeof object.app === "string" ? object.app : "";
    this.tcUrl = typeof object.tcUrl === "string" ? object.tcUrl : "";
    this.send(windowAckSize(WINDOW_ACK_SIZE));
    this.send(setPeerBandwidth(WINDOW_ACK_SIZE, 2));
    this.send(setChunkSize(OUT_CHUNK_SIZE));
    this.outChunkSize = OUT_CHUNK_SIZE;
    this.send(
      result(
        tid,
        { fmsVer: "FMS/3,0,1,123", capabilities: 31 },
        {
          level: "status",
          code: "NetConnection.Connect.Success",
          description: "Connection succeeded.",
          objectEncoding: typeof object.objectEncoding === "number" ? object.objectEncoding : 0,
        },
      ),
    );
  }

  private outChunkSize = 128;

  private onPublish(publishName: AmfValue, streamId: number): void {
    if (this.player) {
      this.refuse(streamId, "NetStream.Publish.BadName", "this connection is playing");
      return;
    }
    if (this.publishStreamId !== null) {
      // Wirecast stops by publishing the name `false`; anything else is a second publish.
      if (typeof publishName !== "string" || publishName === "") {
        this.endPublish(1, "client unpublished");
      }
      return;
    }
    const target = parsePublishTarget({
      app: this.app,
      tcUrl: this.tcUrl,
      publishName,
      defaultDomain: this.options.defaultDomain,
    });
    if (!target.ok) {
      this.refuse(streamId, "NetStream.Publish.BadName", target.reason);
      return;
    }
    this.publishStreamId = streamId;
    const remote = this.socket.remoteAddress ?? "";
    const local = this.socket.localAddress ?? "";
    this.options.host
      .requestPublish({
        ...target.value,
        tcUrl: this.tcUrl,
        clientIp: stripMappedPrefix(remote),
        serverIp: stripMappedPrefix(local),
        connection: {
          id: this.options.id,
          drop: (errcode, detail) => this.drop(errcode, detail),
          peerChunkSize: () => this.parser.peerChunkSize,
        },
      })
      .then(
        (decision) => {
          if (this.phase === "closed") {
            if (decision.accepted)
              decision.publish.end(this.closedErrcode, "connection closed while authorizing");
            return;
          }
          if (this.publishStreamId !== streamId) {
            // The client stopped (deleteStream, closeStream…) while this publish was authorized.
            if (decision.accepted)
              decision.publish.end(this.cancelErrcode, "client stopped while authorizing");
            return;
          }
          if (!decision.accepted) {
            this.refuse(streamId, decision.code, decision.description);
            return;
          }
          this.publish = decision.publish;
          this.parser.setLimits(this.options.limits.publishing);
          this.lastMediaAt = this.options.now();
          this.send(streamBegin(streamId));
          this.send(
            onStatus(
              streamId,
              "status",
              "NetStream.Publish.Start",
              `${target.value.streamName} is now published.`,
            ),
          );
        },
        (err: unknown) => {
          this.options.logger.error(
            { err, connection: this.options.id },
            "publish authorization failed",
          );
          this.refuse(streamId, "NetStream.Publish.Denied", "internal error");
        },
      );
  }

  private onPlay(playName: AmfValue, streamId: number): void {
    const play = this.options.play;
    if (!play || this.player || this.publishStreamId !== null) {
      const reason = play ? "one play or publish per connection" : "playback is not enabled";
      this.send(onStatus(streamId, "error", "NetStream.Play.Failed", reason));
      this.finish(0, "play refused");
      return;
    }
    const clientIp = stripMappedPrefix(this.socket.remoteAddress ?? "");
    this.player = new RtmpPlayer(
      {
        id: this.options.id,
        send: (message, tag) => this.send(message, tag),
        queuedBytes: () => liveWrites.queuedBytes(this.socket),
        sendAtOnce: () => liveWrites.atOnce(this.socket),
        close: (detail) => this.finish(0, detail),
      },
      { ...play, logger: this.options.logger },
    );
    this.player.start(
      rtmpPlayRequest({
        app: this.app,
        tcUrl: this.tcUrl,
        playName: typeof playName === "string" ? playName : "",
        clientIp,
      }),
      streamId,
    );
  }

  /** Refuses a publish: an error status, then the connection closes (no event: never published). */
  private refuse(streamId: number, code: PublishRefusalCode, description: string): void {
    this.options.logger.warn({ connection: this.options.id, code, description }, "publish refused");
    this.send(onStatus(streamId, "error", code, description));
    this.publishStreamId = null;
    this.finish(0, description);
  }

  private onData0(values: AmfValue[], message: RtmpMessage): void {
    // `@setDataFrame` wraps the metadata encoders send; some send `onMetaData` directly.
    const body = values[0] === "@setDataFrame" ? values.slice(1) : values;
    if (body[0] !== "onMetaData" || !this.publish) return;
    const metadata = isObject(body[1]) ? body[1] : {};
    const tag: FlvTag = { type: 18, timestamp: message.timestamp, data: encodeAmf0(body) };
    this.publish.onMetadata(metadata, tag);
  }

  private onMedia(tag: FlvTag): void {
    if (!this.publish) return;
    this.lastMediaAt = this.options.now();
    this.publish.onMedia(tag);
  }

  private endPublish(errcode: number, detail: string): void {
    const publish = this.publish;
    // Without a live publish this cancels one still being authorized: its end gets this errcode.
    if (!publish && this.publishStreamId !== null) this.cancelErrcode = errcode;
    this.publish = null;
    this.publishStreamId = null;
    // Without a publish the connection gets a non-publisher's room again.
    if (publish) this.parser.setLimits(this.options.limits.prePublish);
    this.idleSince = this.options.now();
    this.unpublishRequested = false;
    publish?.end(errcode, detail);
  }

  private closedErrcode = 3;
  private cancelErrcode = 1;

  /** First cause wins: ends the publish with `errcode` (if one is live) and closes the socket. */
  private finish(errcode: number, detail: string): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    this.closedErrcode = errcode;
    clearInterval(this.timer);
    this.options.shared.resizePending(this.countedPending, 0);
    this.countedPending = 0;
    if (this.publish) {
      this.options.logger.info({ connection: this.options.id, errcode, detail }, "publish ended");
    }
    this.endPublish(errcode, detail);
    this.player?.stop(detail);
    if (!this.socket.destroyed) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
  }

  private checkTimers(): void {
    const now = this.options.now();
    if (this.phase !== "chunks" && now - this.startedAt > this.options.handshakeTimeoutMs) {
      this.finish(0, "handshake timed out");
    } else if (
      this.publishStreamId === null &&
      this.player === null &&
      now - this.idleSince > this.options.handshakeTimeoutMs
    ) {
      // A connection that never publishes (or stopped and lingers) would hold a socket forever.
      this.finish(0, "no publish on this connection");
    } else if (this.publish && now - this.lastMediaAt > this.options.idleTimeoutMs) {
      this.finish(8, `no media for ${this.options.idleTimeoutMs} ms`);
    }
  }

  /**
   * Acknowledgements are owed only to peers that announced a window; ffmpeg and OBS publish
   * without announcing one (RTMP specification, section 5.4.3).
   */
  private maybeAcknowledge(): void {
    if (this.peerWindow === 0) return;
    const received = this.parser.bytesReceived;
    if (received - this.lastAckAt >= this.peerWindow) {
      this.lastAckAt = received;
      this.send(acknowledgement(received));
    }
  }

  /**
   * Returns the bytes written (0 when the socket is no longer writable). A live tag's chunks are
   * shared with the other viewers that send it with the same header (media/shared-encoding.ts).
   */
  private send(message: RtmpMessage, tag?: FlvTag): number {
    if (!this.socket.writable) return 0;
    const chunkSize = this.outChunkSize;
    const bytes = tag
      ? sharedEncoding(
          tag,
          `${message.chunkStreamId}/${message.streamId}/${message.timestamp}/${chunkSize}`,
          () => encodeChunks(message, chunkSize),
        )
      : encodeChunks(message, chunkSize);
    if (tag) liveWrites.hold(this.socket);
    this.socket.write(bytes);
    return bytes.length;
  }
}

function isObject(value: AmfValue): value is { [key: string]: AmfValue } {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function stripMappedPrefix(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/**
 * An aggregate message is a run of FLV tags (11-byte header, body, 4-byte previous size) whose
 * timestamps are relative to the first, offset by the message's own (SRS `on_aggregate`).
 * A truncated run is malformed RTMP (errcode 6).
 */
export function splitAggregate(message: RtmpMessage): FlvTag[] {
  const tags: FlvTag[] = [];
  const buf = message.payload;
  let offset = 0;
  let base: number | null = null;
  while (offset < buf.length) {
    if (offset + 11 > buf.length)
      throw new RtmpProtocolError(Errcode.RtmpProtocolError, "truncated aggregate tag header");
    const type = buf[offset] as number;
    const size = buf.readUIntBE(offset + 1, 3);
    const timestamp = (buf.readUIntBE(offset + 4, 3) | ((buf[offset + 7] as number) << 24)) >>> 0;
    if (offset + 11 + size + 4 > buf.length)
      throw new RtmpProtocolError(Errcode.RtmpProtocolError, "truncated aggregate tag");
    base ??= timestamp;
    if (type === 8 || type === 9) {
      tags.push({
        type,
        timestamp: (message.timestamp + timestamp - base) >>> 0,
        data: buf.subarray(offset + 11, offset + 11 + size),
      });
    }
    offset += 11 + size + 4;
  }
  return tags;
}

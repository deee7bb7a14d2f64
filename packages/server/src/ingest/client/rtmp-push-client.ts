import { randomBytes } from "node:crypto";
import { connect as connectTcp, isIP, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { FlvTag } from "../../media/flv-tag.js";
import { LiveViewer } from "../../media/live-viewer.js";
import type { TagSink } from "../../media/media-fanout.js";
import { sharedEncoding } from "../../media/shared-encoding.js";
import { liveWrites } from "../../media/write-batching.js";
import { ChunkParser, type ChunkParserLimits } from "../rtmp/chunk-parser.js";
import { encodeChunks } from "../rtmp/chunk-writer.js";
import type { RtmpMessage } from "../rtmp/message-types.js";
import { acknowledgement, setDataFrame, tagMessage } from "../rtmp/messages.js";
import { RtmpProtocolError } from "../rtmp/protocol-error.js";
import { ClientHandshake, clientHello } from "./client-handshake.js";
import { CLIENT_CHUNK_SIZE, type FlowStep, PublishFlow } from "./publish-flow.js";
import { parseRtmpUrl } from "./rtmp-url.js";

/** What a push reads its tags from: a `PublishedStream`, or any source with the same contract. */
export interface PushTagSource {
  /**
   * Adds a sink that first gets the metadata and sequence headers seen so far, then every tag,
   * and `onEnd` once the source ends; returns the unsubscribe function.
   */
  subscribe(sink: TagSink): () => void;
}

export interface RtmpPushOptions {
  /** `rtmp://host[:port]/app/stream[?query]` or `rtmps://…`. */
  url: string;
  source: PushTagSource;
  /** TCP, TLS, RTMP handshake and the publish commands must be done within this. */
  connectTimeoutMs: number;
  /** rtmps:// only: accept a certificate that does not verify (a self-signed target). */
  tlsSkipVerify?: boolean;
  /** Bytes the connection may hold unsent; past it tags are skipped to the next keyframe. */
  maxQueuedBytes: number;
  /** Still over `maxQueuedBytes` at this many keyframes in a row: the push fails. */
  maxSkippedKeyframes: number;
  /** Called once the target accepted the publish (NetStream.Publish.Start). */
  onLive?: () => void;
}

export type RtmpPushState = "connecting" | "live" | "closed";

/** How a push ended: its source ended, it was stopped, or the target failed (and why). */
export type RtmpPushOutcome =
  | { reason: "ended" | "stopped"; bytesSent: number }
  | { reason: "failed"; error: string; bytesSent: number };

/** One running push of a tag source to an RTMP(S) target. */
export interface RtmpPush {
  readonly state: RtmpPushState;
  /** Bytes written to the target (handshake, commands, media). */
  readonly bytesSent: number;
  /** Media tags skipped because the target did not keep up. */
  readonly skippedTags: number;
  /** Settles once, when the push is over; never rejects. */
  readonly done: Promise<RtmpPushOutcome>;
  /** Ends the push politely (FCUnpublish, deleteStream, close). */
  stop(): void;
}

/** What a target may make the client hold: its replies are commands of a few hundred bytes. */
const CLIENT_PARSER_LIMITS: ChunkParserLimits = {
  maxMessageBytes: 64 * 1024,
  maxPendingBytes: 128 * 1024,
  maxChunkStreams: 16,
};
/** Time for a closing socket to flush before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * Publishes a live tag source to an RTMP or RTMPS server, as an encoder would (docs/relay.md):
 * handshake, connect/createStream/publish, then the source's metadata, sequence headers and
 * live tags from a keyframe on, timestamps from 0. The target never slows the source: the
 * socket's write buffer is the queue, and past `maxQueuedBytes` tags are skipped to the next
 * keyframe (the slow-viewer policy of media/live-viewer.ts). Failures — an invalid URL, a refused
 * or timed-out connection, a TLS error, a refused publish, malformed replies — end the push with
 * `reason: "failed"`; nothing is thrown.
 *
 * @example
 * const push = pushRtmp({ url: "rtmp://127.0.0.1/live/cam1", source: stream,
 *   connectTimeoutMs: 10_000, maxQueuedBytes: 4 << 20, maxSkippedKeyframes: 3 });
 * const outcome = await push.done; // { reason: "ended", bytesSent } once the stream ends
 */
export function pushRtmp(options: RtmpPushOptions): RtmpPush {
  return new PushConnection(options);
}

class PushConnection implements RtmpPush {
  state: RtmpPushState = "connecting";
  bytesSent = 0;
  readonly done: Promise<RtmpPushOutcome>;
  private settle!: (outcome: RtmpPushOutcome) => void;
  private socket: Socket | null = null;
  private flow: PublishFlow | null = null;
  private handshake: ClientHandshake | null = new ClientHandshake();
  private readonly parser = new ChunkParser(CLIENT_PARSER_LIMITS);
  private lastAckAt = 0;
  private viewer: LiveViewer | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: RtmpPushOptions) {
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.timer = setTimeout(
      () => this.fail(`no publish within ${options.connectTimeoutMs} ms`),
      options.connectTimeoutMs,
    );
    this.timer.unref();
    const parsed = parseRtmpUrl(options.url);
    if (!parsed.ok) {
      this.fail(`invalid URL: ${parsed.reason}`);
      return;
    }
    const target = parsed.value;
    this.flow = new PublishFlow(target);
    const socket = target.secure
      ? connectTls({
          host: target.host,
          port: target.port,
          ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
          rejectUnauthorized: options.tlsSkipVerify !== true,
        })
      : connectTcp({ host: target.host, port: target.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.once(target.secure ? "secureConnect" : "connect", () =>
      this.write(clientHello({ randomBytes, nowMs: Date.now() })),
    );
    socket.on("data", (data: Buffer) => this.onData(data));
    socket.on("error", (err: NodeJS.ErrnoException) =>
      this.fail(`${target.secure ? "TLS/TCP" : "TCP"} error: ${err.code ?? err.message}`),
    );
    socket.on("close", () => this.fail("the target closed the connection"));
  }

  get skippedTags(): number {
    return this.viewer?.skipped ?? 0;
  }

  stop(): void {
    this.close({ reason: "stopped", bytesSent: this.bytesSent });
  }

  private onData(data: Buffer): void {
    if (this.state === "closed") return;
    try {
      if (this.handshake) {
        const step = this.handshake.push(data);
        if (!step.done) return;
        this.handshake = null;
        this.write(step.c2);
        for (const message of this.flow?.start() ?? []) this.send(message);
        if (step.rest.length === 0) return;
        data = step.rest;
      }
      for (const message of this.parser.push(data)) {
        this.apply(this.flow?.onMessage(message) ?? { send: [] });
        if ((this.state as RtmpPushState) === "closed") return;
      }
      const window = this.flow?.windowAckSize ?? 0;
      const received = this.parser.bytesReceived;
      if (window > 0 && received - this.lastAckAt >= window) {
        this.lastAckAt = received;
        this.send(acknowledgement(received));
      }
    } catch (err) {
      this.fail(
        err instanceof RtmpProtocolError
          ? `malformed reply: ${err.message}`
          : `internal error: ${String(err)}`,
      );
    }
  }

  private apply(step: FlowStep): void {
    for (const message of step.send) this.send(message);
    if (step.failed !== undefined) {
      this.fail(step.failed);
      return;
    }
    if (step.publishing) this.goLive();
  }

  private goLive(): void {
    clearTimeout(this.timer);
    this.state = "live";
    this.options.onLive?.();
    const viewer = new LiveViewer(
      {
        queuedBytes: () => (this.socket ? liveWrites.queuedBytes(this.socket) : 0),
        write: (tag, timestamp) => this.sendTag(tag, timestamp),
        evict: (detail) => this.fail(`the target did not keep up: ${detail}`),
        end: () => this.close({ reason: "ended", bytesSent: this.bytesSent }),
      },
      {
        maxQueuedBytes: this.options.maxQueuedBytes,
        maxSkippedKeyframes: this.options.maxSkippedKeyframes,
      },
    );
    this.viewer = viewer;
    // A source that already ended calls onEnd during subscribe: the push closes at once.
    const unsubscribe = this.options.source.subscribe(viewer);
    if (this.state === "live") this.unsubscribe = unsubscribe;
    else unsubscribe();
  }

  private sendTag(tag: FlvTag, timestamp: number): number {
    const streamId = this.flow?.streamId ?? 1;
    if (tag.type === 18) return this.send(setDataFrame(streamId, timestamp, tag.data));
    const message = tagMessage(tag, streamId, timestamp);
    // Targets of one stream that started on the same keyframe send the same bytes.
    const bytes = sharedEncoding(
      tag,
      `push/${message.chunkStreamId}/${streamId}/${timestamp}/${CLIENT_CHUNK_SIZE}`,
      () => encodeChunks(message, CLIENT_CHUNK_SIZE),
    );
    this.holdMedia();
    return this.write(bytes);
  }

  /**
   * Media goes out with the node's other live writes, in one write every LIVE_WRITE_HOLD_MS
   * instead of one per tag: the system calls and loopback/TCP segments per tag were most of a
   * relay's CPU.
   */
  private holdMedia(): void {
    if (this.socket) liveWrites.hold(this.socket);
  }

  private send(message: RtmpMessage): number {
    return this.write(encodeChunks(message, CLIENT_CHUNK_SIZE));
  }

  private write(bytes: Buffer): number {
    const socket = this.socket;
    if (!socket?.writable || this.state === "closed") return 0;
    socket.write(bytes);
    this.bytesSent += bytes.length;
    return bytes.length;
  }

  private fail(error: string): void {
    this.close({ reason: "failed", error, bytesSent: this.bytesSent });
  }

  /** First outcome wins: stops reading the source, says goodbye when live, closes the socket. */
  private close(outcome: RtmpPushOutcome): void {
    if (this.state === "closed") return;
    const wasLive = this.state === "live";
    if (wasLive && outcome.reason !== "failed") {
      for (const message of this.flow?.stop() ?? []) this.send(message);
    }
    this.state = "closed";
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.viewer?.close();
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      if (outcome.reason === "failed") socket.destroy();
      else {
        socket.end();
        setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      }
    }
    this.settle({ ...outcome, bytesSent: this.bytesSent });
  }
}

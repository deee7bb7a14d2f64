/**
 * A minimal RTMP publisher written over node:net, as FMLE/OBS speak it: simple handshake,
 * connect → releaseStream → FCPublish → createStream → publish, then an FLV's tags paced at
 * real-time rate and looped with increasing timestamps. It only reads enough of the server's
 * traffic to see command replies, chunk size changes and pings.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { type Amf0Object, type Amf0Value, decodeAmf0, encodeAmf0 } from "./amf0.js";
import type { FlvTag } from "./flv-reader.js";
import { ChunkReader, encodeMessage, type RtmpMessage } from "./rtmp-chunks.js";

const HANDSHAKE_SIZE = 1536;
const CHUNK_SIZE = 4096;
// Chunk stream ids as ffmpeg uses them: control, commands, stream commands/data, audio, video.
const CSID_CONTROL = 2;
const CSID_COMMAND = 3;
const CSID_DATA = 5;
const CSID_AUDIO = 4;
const CSID_VIDEO = 6;

export interface PublisherOptions {
  host: string;
  port: number;
  app: string;
  stream: string;
  /** The FLV's tags; script tags become @setDataFrame, the rest are looped. */
  tags: readonly FlvTag[];
  /** Bound on each step of the handshake and command exchange. */
  timeoutMs?: number;
}

export interface Publisher {
  readonly stream: string;
  /** performance.now() when the publish command was written. */
  readonly publishSentAt: number;
  /** performance.now() when NetStream.Publish.Start arrived. */
  readonly publishStartedAt: number;
  /** Set when the connection failed or the server closed it before stop(). */
  readonly failure: string | null;
  readonly bytesSent: number;
  /**
   * Media time written so far: the timestamp (ms from the first tag) of the last tag handed to
   * the socket. Tags are written when due and held back while the server does not read, so
   * media time over wall time is the publisher's speed (1 is real time), as ffmpeg's `speed=`.
   */
  readonly mediaMs: number;
  /** performance.now() when the first media tag was due. */
  readonly mediaStartedAt: number;
  /**
   * "graceful": FCUnpublish + deleteStream, then FIN. "abrupt": destroy the socket.
   * Resolves with performance.now() at the moment the TCP connection was closed.
   */
  stop(mode: "graceful" | "abrupt"): Promise<number>;
}

type Pending = { resolve: (args: Amf0Value[]) => void; reject: (error: Error) => void };

export async function startPublisher(options: PublisherOptions): Promise<Publisher> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const socket = connect({ host: options.host, port: options.port, noDelay: true });
  socket.setTimeout(timeoutMs);
  const session = new Session(socket, options);
  try {
    await withTimeout(once(socket, "connect"), timeoutMs, "TCP connect");
    await withTimeout(session.handshake(), timeoutMs, "handshake");
    await withTimeout(session.publish(), timeoutMs, "publish");
  } catch (error) {
    socket.destroy();
    throw error;
  }
  socket.setTimeout(0);
  session.startMedia();
  return session;
}

class Session implements Publisher {
  readonly stream: string;
  publishSentAt = 0;
  publishStartedAt = 0;
  failure: string | null = null;
  bytesSent = 0;
  mediaMs = 0;
  mediaStartedAt = 0;

  private readonly reader: ChunkReader;
  private received: Buffer = Buffer.alloc(0);
  private handshakeWaiter: {
    resolve: (s1: Buffer) => void;
    reject: (error: Error) => void;
  } | null = null;
  private readonly pending = new Map<number, Pending>();
  private statusWaiter: Pending | null = null;
  private nextTransaction = 1;
  private messageStreamId = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly options: PublisherOptions,
  ) {
    this.stream = options.stream;
    this.reader = new ChunkReader((message) => this.onMessage(message));
    socket.on("data", (data: Buffer) => this.onData(data));
    socket.on("error", (error) => this.fail(error.message));
    socket.on("timeout", () => socket.destroy(new Error("socket timeout")));
    socket.on("close", () => this.fail("connection closed by the server"));
  }

  /** Simple (version 0) handshake: C1 has zeros at bytes 4–7, C2 echoes S1. */
  async handshake(): Promise<void> {
    const c1 = randomBytes(HANDSHAKE_SIZE);
    c1.fill(0, 0, 8);
    const s1 = new Promise<Buffer>((resolve, reject) => {
      this.handshakeWaiter = { resolve, reject };
    });
    this.write(Buffer.concat([Buffer.from([3]), c1]));
    this.write(await s1);
  }

  async publish(): Promise<void> {
    const { app, stream, host, port } = this.options;
    const setChunkSize = Buffer.alloc(4);
    setChunkSize.writeUInt32BE(CHUNK_SIZE, 0);
    this.send(CSID_CONTROL, 1, 0, 0, setChunkSize);
    await this.call(0, "connect", {
      app,
      type: "nonprivate",
      flashVer: "FMLE/3.0 (compatible; FMSc/1.0)",
      tcUrl: `rtmp://${host}:${port}/${app}`,
    });
    this.notify("releaseStream", stream);
    this.notify("FCPublish", stream);
    const created = await this.call(0, "createStream");
    const id = created[1];
    if (typeof id !== "number") throw new Error("createStream _result without a stream id");
    this.messageStreamId = id;
    const status = new Promise<Amf0Value[]>((resolve, reject) => {
      this.statusWaiter = { resolve, reject };
    });
    this.publishSentAt = performance.now();
    this.command(CSID_DATA, id, "publish", 0, null, stream, "live");
    await status;
    this.publishStartedAt = performance.now();
  }

  /** Sends tags when due by their timestamps, looping the file with increasing timestamps. */
  startMedia(): void {
    // An AVC end-of-sequence tag would tell the server the stream ended at every loop.
    const endOfSequence = (t: FlvTag) => t.type === 9 && t.data.length >= 2 && t.data[1] === 2;
    const media = this.options.tags.filter(
      (t) => (t.type === 8 || t.type === 9) && !endOfSequence(t),
    );
    const metadata = this.options.tags.find((t) => t.type === 18);
    if (media.length === 0) throw new Error("the FLV has no audio or video tags");
    if (metadata) {
      const payload = Buffer.concat([encodeAmf0("@setDataFrame"), metadata.data]);
      this.send(CSID_DATA, 18, this.messageStreamId, 0, payload);
    }
    const first = media[0]!.timestamp;
    // One frame past the latest tag (audio may outlast video), so timestamps never go back.
    const loopLength = Math.max(...media.map((t) => t.timestamp)) - first + 40;
    const started = performance.now();
    this.mediaStartedAt = started;
    let index = 0;
    let offset = 0;
    const tick = () => {
      this.timer = null;
      if (this.stopping || this.failure) return;
      const elapsed = performance.now() - started;
      let blocked = false;
      for (;;) {
        const tag = media[index]!;
        const timestamp = tag.timestamp - first + offset;
        if (timestamp > elapsed) break;
        const csid = tag.type === 8 ? CSID_AUDIO : CSID_VIDEO;
        blocked = !this.send(csid, tag.type, this.messageStreamId, timestamp, tag.data);
        this.mediaMs = timestamp;
        if (++index === media.length) {
          index = 0;
          offset += loopLength;
        }
        // A server that does not keep up holds the publisher back, as a blocking write holds
        // back ffmpeg: mediaMs then trails wall time by what the server has not taken.
        if (blocked) break;
      }
      // When the server stops reading, wait for it instead of queueing without bound.
      if (blocked) this.socket.once("drain", tick);
      else {
        const tag = media[index]!;
        const due = tag.timestamp - first + offset - (performance.now() - started);
        this.timer = setTimeout(tick, Math.max(0, due));
      }
    };
    tick();
  }

  async stop(mode: "graceful" | "abrupt"): Promise<number> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.socket.destroyed) return performance.now();
    if (mode === "abrupt") {
      const at = performance.now();
      this.socket.destroy();
      return at;
    }
    this.notify("FCUnpublish", this.options.stream);
    this.notify("deleteStream", this.messageStreamId);
    const closed = once(this.socket, "close");
    const at = performance.now();
    this.socket.end();
    // A server that never answers the FIN still gets its connection closed.
    const timer = setTimeout(() => this.socket.destroy(), 5_000);
    await closed;
    clearTimeout(timer);
    return at;
  }

  private onData(data: Buffer): void {
    if (this.handshakeWaiter) {
      this.received = Buffer.concat([this.received, data]);
      if (this.received.length < 1 + 2 * HANDSHAKE_SIZE) return;
      const s1 = this.received.subarray(1, 1 + HANDSHAKE_SIZE);
      const rest = this.received.subarray(1 + 2 * HANDSHAKE_SIZE);
      const waiter = this.handshakeWaiter;
      this.handshakeWaiter = null;
      this.received = Buffer.alloc(0);
      waiter.resolve(Buffer.from(s1));
      if (rest.length > 0) this.reader.push(rest);
      return;
    }
    try {
      this.reader.push(data);
    } catch (error) {
      this.socket.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private onMessage(message: RtmpMessage): void {
    if (message.typeId === 4) {
      this.onUserControl(message.payload);
      return;
    }
    if (message.typeId !== 20) return; // acks, window sizes, bandwidth: nothing to do
    const [name, transaction, , ...args] = decodeAmf0(message.payload);
    if (name === "_result" || name === "_error") {
      const waiter = this.pending.get(Number(transaction));
      if (!waiter) return;
      this.pending.delete(Number(transaction));
      if (name === "_result") waiter.resolve([transaction ?? null, ...args]);
      else waiter.reject(new Error(`command failed: ${describe(args[0])}`));
    } else if (name === "onStatus") {
      const info = args[0];
      const code = isObject(info) ? String(info.code) : "";
      const waiter = this.statusWaiter;
      if (!waiter) return;
      if (code === "NetStream.Publish.Start") waiter.resolve(args);
      else if (isObject(info) && info.level === "error") waiter.reject(new Error(describe(info)));
      else return;
      this.statusWaiter = null;
    }
  }

  /** Answers PingRequest (event 6) so servers with keepalive pings keep the connection. */
  private onUserControl(payload: Buffer): void {
    if (payload.length < 6 || payload.readUInt16BE(0) !== 6) return;
    const pong = Buffer.alloc(6);
    pong.writeUInt16BE(7, 0);
    payload.copy(pong, 2, 2, 6);
    this.send(CSID_CONTROL, 4, 0, 0, pong);
  }

  private call(streamId: number, name: string, ...args: Amf0Value[]): Promise<Amf0Value[]> {
    const transaction = this.nextTransaction++;
    const reply = new Promise<Amf0Value[]>((resolve, reject) => {
      this.pending.set(transaction, { resolve, reject });
    });
    this.command(CSID_COMMAND, streamId, name, transaction, args[0] ?? null, ...args.slice(1));
    return reply;
  }

  /** A command whose reply nobody waits for (FMLE sends these and moves on). */
  private notify(name: string, ...args: Amf0Value[]): void {
    this.command(CSID_COMMAND, 0, name, this.nextTransaction++, null, ...args);
  }

  private command(
    csid: number,
    streamId: number,
    name: string,
    transaction: number,
    ...args: Amf0Value[]
  ) {
    this.send(csid, 20, streamId, 0, encodeAmf0(name, transaction, ...args));
  }

  private send(
    csid: number,
    typeId: number,
    streamId: number,
    timestamp: number,
    payload: Buffer,
  ): boolean {
    const chunks = encodeMessage(
      { chunkStreamId: csid, typeId, streamId, timestamp, payload },
      // SetChunkSize itself goes out before the server knows the new size, but fits anyway.
      CHUNK_SIZE,
    );
    return this.write(chunks);
  }

  private write(data: Buffer): boolean {
    if (this.socket.destroyed) return true;
    this.bytesSent += data.length;
    return this.socket.write(data);
  }

  private fail(reason: string): void {
    if (this.stopping || this.failure) return;
    this.failure = reason;
    if (this.timer) clearTimeout(this.timer);
    const error = new Error(reason);
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    this.statusWaiter?.reject(error);
    this.statusWaiter = null;
    this.handshakeWaiter?.reject(error);
    this.handshakeWaiter = null;
  }
}

function isObject(value: Amf0Value): value is Amf0Object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: Amf0Value | undefined): string {
  if (value !== undefined && isObject(value)) {
    return [value.code, value.description].filter((v) => v !== undefined).join(": ");
  }
  return String(value);
}

function once(socket: Socket, event: "connect" | "close"): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => resolve());
    if (event === "connect") socket.once("error", reject);
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

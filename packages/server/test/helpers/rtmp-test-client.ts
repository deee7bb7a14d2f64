import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { type AmfValue, decodeAmf0, encodeAmf0 } from "../../src/ingest/rtmp/amf0.js";
import { ChunkParser } from "../../src/ingest/rtmp/chunk-parser.js";
import type { RtmpMessage } from "../../src/ingest/rtmp/message-types.js";

/**
 * A byte-level RTMP client for what ffmpeg cannot produce: it performs the simple handshake and
 * the publish flow, then lets a test write any bytes — closeStream, a 2 MB message, garbage,
 * broken AMF. Chunks are written here by hand (type-0 headers, 128-byte chunks), independently
 * of the server's chunk writer.
 */
export class RtmpTestClient {
  private readonly parser = new ChunkParser({
    maxMessageBytes: 16 * 1024 * 1024,
    maxPendingBytes: 64 * 1024 * 1024,
    maxChunkStreams: 65599,
  });
  private readonly inbox: RtmpMessage[] = [];
  private waiters: (() => void)[] = [];
  private handshakeLeft = 1 + 1536 * 2;
  readonly closed: Promise<void>;
  private transactionId = 1;

  private constructor(readonly socket: Socket) {
    socket.on("data", (data: Buffer) => {
      if (this.handshakeLeft > 0) {
        const used = Math.min(this.handshakeLeft, data.length);
        this.handshakeLeft -= used;
        if (this.handshakeLeft === 0) socket.write(Buffer.alloc(1536)); // C2
        data = data.subarray(used);
        if (data.length === 0) return this.wake();
      }
      try {
        this.inbox.push(...this.parser.push(data));
      } catch {
        // The server's bytes are not what this client checks.
      }
      this.wake();
    });
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  static async connect(
    port: number,
    host = "127.0.0.1",
    /** The client's own address (any of 127/8 on loopback), to act as several clients. */
    localAddress?: string,
  ): Promise<RtmpTestClient> {
    const socket = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new RtmpTestClient(socket);
    const c1 = randomBytes(1536);
    c1.fill(0, 0, 8); // time and zero: no digest, the simple handshake
    socket.write(Buffer.concat([Buffer.from([3]), c1]));
    await client.until(() => client.handshakeLeft === 0, "handshake");
    return client;
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Waits until `predicate` holds, re-checked on every arrival. */
  async until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  /** One message as chunks with type-0 headers on `chunkStreamId`, 128 bytes each. */
  static chunks(message: {
    csid: number;
    typeId: number;
    streamId: number;
    timestamp?: number;
    payload: Buffer;
  }): Buffer {
    const parts: Buffer[] = [];
    for (let offset = 0; offset === 0 || offset < message.payload.length; offset += 128) {
      if (offset === 0) {
        const header = Buffer.alloc(12);
        header[0] = message.csid; // fmt 0
        header.writeUIntBE(message.timestamp ?? 0, 1, 3);
        header.writeUIntBE(message.payload.length, 4, 3);
        header[7] = message.typeId;
        header.writeUInt32LE(message.streamId, 8);
        parts.push(header);
      } else {
        parts.push(Buffer.from([0xc0 | message.csid])); // fmt 3 continuation
      }
      parts.push(message.payload.subarray(offset, offset + 128));
    }
    return Buffer.concat(parts);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  command(values: AmfValue[], streamId = 0): void {
    this.write(
      RtmpTestClient.chunks({
        csid: streamId ? 8 : 3,
        typeId: 20,
        streamId,
        payload: encodeAmf0(values),
      }),
    );
  }

  /** The first command reply named `name` (`_result`, `onStatus`…) not yet taken. */
  async reply(name: string): Promise<AmfValue[]> {
    let found: AmfValue[] | undefined;
    await this.until(() => {
      const index = this.inbox.findIndex(
        (m) => m.typeId === 20 && decodeAmf0(m.payload)[0] === name,
      );
      if (index < 0) return false;
      const [message] = this.inbox.splice(index, 1);
      found = decodeAmf0((message as RtmpMessage).payload);
      return true;
    }, `a ${name} reply`);
    return found as AmfValue[];
  }

  /** connect → createStream → publish; resolves with the onStatus info object. */
  async publish(options: {
    app?: string;
    tcUrl?: string;
    stream: string;
  }): Promise<{ code: string; streamId: number }> {
    const app = options.app ?? "live";
    this.command([
      "connect",
      this.transactionId++,
      { app, tcUrl: options.tcUrl ?? `rtmp://127.0.0.1/${app}`, flashVer: "FMLE/3.0 (test)" },
    ]);
    await this.reply("_result");
    this.command(["createStream", this.transactionId++, null]);
    const created = await this.reply("_result");
    const streamId = Number(created[3]);
    this.command(["publish", this.transactionId++, null, options.stream, "live"], streamId);
    const status = await this.reply("onStatus");
    const info = status[3] as { code: string };
    return { code: info.code, streamId };
  }

  /** A small audio message, so the publish is not idle. */
  sendAudio(streamId: number, timestamp: number): void {
    this.write(
      RtmpTestClient.chunks({
        csid: 4,
        typeId: 8,
        streamId,
        timestamp,
        payload: Buffer.from([0xaf, 0x01, 0x21, 0x00]),
      }),
    );
  }

  reset(): void {
    this.socket.resetAndDestroy();
  }

  end(): void {
    this.socket.end();
  }
}

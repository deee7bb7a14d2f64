/**
 * Lightweight benchmark viewers: an RTMP player (handshake, connect, createStream, play) over
 * node:net and an HTTP-FLV reader over node:http. Each parses the stream only until its first
 * video keyframe (for the play → first keyframe latency), then just counts bytes, so hundreds of
 * them cost the benchmark process little next to the server under test.
 */
import { randomBytes } from "node:crypto";
import { get } from "node:http";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { decodeAmf0, encodeAmf0 } from "../ingest/amf0.js";
import { ChunkReader, encodeMessage, type RtmpMessage } from "../ingest/rtmp-chunks.js";

const HANDSHAKE_SIZE = 1536;
/** Bound on the bytes read before the first keyframe (a server that never sends one). */
const MAX_BYTES_BEFORE_KEYFRAME = 16 * 1024 * 1024;

export interface Viewer {
  /** performance.now() when the play request was written (RTMP `play`, HTTP GET). */
  readonly requestedAt: number;
  /** ms from the play request to the first video keyframe's last byte; null until then. */
  readonly firstKeyframeMs: number | null;
  readonly bytes: number;
  /** Why the connection ended before close(), or null while it is up. */
  readonly failure: string | null;
  close(): void;
}

/** An AVC/HEVC video tag body that is a keyframe and not a sequence header. */
function isKeyframe(data: Buffer): boolean {
  if (data.length < 2) return false;
  const first = data[0] as number;
  if ((first & 0x80) !== 0) {
    // Enhanced RTMP: frame type in bits 4-6, packet type 0 is the sequence start.
    return ((first >> 4) & 0x07) === 1 && (first & 0x0f) !== 0;
  }
  return first >> 4 === 1 && data[1] === 1;
}

class ViewerState {
  requestedAt = 0;
  firstKeyframeMs: number | null = null;
  bytes = 0;
  failure: string | null = null;
  closed = false;
  keyframe(): void {
    this.firstKeyframeMs ??= performance.now() - this.requestedAt;
  }
  fail(reason: string): void {
    if (!this.closed) this.failure ??= reason;
  }
}

/** Plays `rtmp://host:port/app/stream` until close(). Resolves once the play is sent. */
export function playRtmp(options: {
  host: string;
  port: number;
  app: string;
  stream: string;
}): Viewer & { ready: Promise<void> } {
  const state = new ViewerState();
  const socket = connect({ host: options.host, port: options.port, noDelay: true });
  let handshake: Buffer | null = Buffer.alloc(0);
  let ackWindow = 2_500_000;
  let acked = 0;
  let streamId = 0;
  let parsing = true;
  const send = (csid: number, typeId: number, sid: number, payload: Buffer) =>
    socket.write(
      encodeMessage({ chunkStreamId: csid, typeId, streamId: sid, timestamp: 0, payload }, 128),
    );
  const command = (sid: number, ...values: Parameters<typeof encodeAmf0>) =>
    send(sid === 0 ? 3 : 8, 20, sid, encodeAmf0(...values));
  const onMessage = (message: RtmpMessage) => {
    if (message.typeId === 5 && message.payload.length >= 4) {
      ackWindow = message.payload.readUInt32BE(0);
    } else if (message.typeId === 20) {
      const [name, transaction, , ...args] = decodeAmf0(message.payload);
      if (name === "_result" && transaction === 1) {
        command(0, "createStream", 2, null);
      } else if (name === "_result" && transaction === 2) {
        streamId = Number(args[0]);
        state.requestedAt = performance.now();
        command(streamId, "play", 0, null, options.stream, -1000);
      } else if (name === "_error" || name === "onStatus") {
        const info = args[0];
        const code =
          typeof info === "object" && info !== null && !Array.isArray(info)
            ? String(info.code)
            : "";
        if (/Failed|StreamNotFound|Rejected/.test(code)) socket.destroy(new Error(code));
      }
    } else if (message.typeId === 9 && isKeyframe(message.payload)) {
      state.keyframe();
      // From here on only bytes are counted: the benchmark measures the server, not this parser.
      parsing = false;
    }
  };
  const reader = new ChunkReader(onMessage);
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => {
      const c1 = randomBytes(HANDSHAKE_SIZE);
      c1.fill(0, 0, 8);
      socket.write(Buffer.concat([Buffer.from([3]), c1]));
    });
    socket.once("error", reject);
    socket.on("data", (data: Buffer) => {
      state.bytes += data.length;
      if (state.bytes - acked >= ackWindow / 2) {
        acked = state.bytes;
        const ack = Buffer.alloc(4);
        ack.writeUInt32BE(acked >>> 0, 0);
        send(2, 3, 0, ack);
      }
      if (handshake) {
        handshake = Buffer.concat([handshake, data]);
        if (handshake.length < 1 + 2 * HANDSHAKE_SIZE) return;
        const s1 = handshake.subarray(1, 1 + HANDSHAKE_SIZE);
        const rest = handshake.subarray(1 + 2 * HANDSHAKE_SIZE);
        handshake = null;
        socket.write(Buffer.from(s1));
        const tcUrl = `rtmp://${options.host}:${options.port}/${options.app}`;
        command(0, "connect", 1, { app: options.app, tcUrl, flashVer: "LNX 9,0,124,2" });
        resolve();
        if (rest.length > 0) reader.push(rest);
        return;
      }
      if (!parsing) return;
      try {
        reader.push(data);
      } catch (error) {
        socket.destroy(error instanceof Error ? error : new Error(String(error)));
      }
      if (state.firstKeyframeMs === null && state.bytes > MAX_BYTES_BEFORE_KEYFRAME) {
        socket.destroy(new Error("no keyframe"));
      }
    });
  });
  socket.on("error", (error) => state.fail(error.message));
  socket.on("close", () => state.fail("closed by the server"));
  return Object.assign(state, {
    ready,
    close() {
      state.closed = true;
      socket.destroy();
    },
  });
}

/** Reads `http://host:port/app/stream.flv` until close(). */
export function playHttpFlv(options: {
  host: string;
  port: number;
  app: string;
  stream: string;
}): Viewer & { ready: Promise<void> } {
  const state = new ViewerState();
  state.requestedAt = performance.now();
  let pending: Buffer = Buffer.alloc(0);
  /** Offset of the next tag header in the body; the 9-byte header and PreviousTagSize0 first. */
  let next = 13;
  let consumed = 0;
  const request = get({
    host: options.host,
    port: options.port,
    path: `/${options.app}/${options.stream}.flv`,
    agent: false,
  });
  const ready = new Promise<void>((resolve, reject) => {
    request.once("error", reject);
    request.once("response", (res) => {
      if (res.statusCode !== 200) {
        state.fail(`HTTP ${res.statusCode}`);
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      resolve();
      res.on("data", (data: Buffer) => {
        state.bytes += data.length;
        if (state.firstKeyframeMs !== null) return;
        pending = Buffer.concat([pending, data]);
        // Walk whole tags: 11-byte header, body, 4-byte PreviousTagSize.
        for (;;) {
          const at = next - consumed;
          if (pending.length < at + 11) break;
          const type = (pending[at] as number) & 0x1f;
          const size = pending.readUIntBE(at + 1, 3);
          if (pending.length < at + 11 + size) break;
          if (type === 9 && isKeyframe(pending.subarray(at + 11, at + 11 + size))) {
            state.keyframe();
            pending = Buffer.alloc(0);
            return;
          }
          next += 11 + size + 4;
        }
        const drop = Math.min(pending.length, next - consumed);
        pending = pending.subarray(drop);
        consumed += drop;
        if (state.bytes > MAX_BYTES_BEFORE_KEYFRAME) request.destroy(new Error("no keyframe"));
      });
      res.on("end", () => state.fail("the response ended"));
      res.on("error", (error) => state.fail(error.message));
    });
  });
  request.on("error", (error) => state.fail(error.message));
  request.on("close", () => state.fail("closed by the server"));
  return Object.assign(state, {
    ready,
    close() {
      state.closed = true;
      request.destroy();
    },
  });
}

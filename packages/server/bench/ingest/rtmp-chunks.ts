/** RTMP chunk framing (RTMP spec §5.3) for the load publisher: just what a publisher needs. */

export interface RtmpMessage {
  chunkStreamId: number;
  typeId: number;
  /** Message stream id (0 for connection-level messages). */
  streamId: number;
  timestamp: number;
  payload: Buffer;
}

function basicHeader(fmt: number, csid: number): Buffer {
  if (csid < 64) return Buffer.from([(fmt << 6) | csid]);
  if (csid < 320) return Buffer.from([fmt << 6, csid - 64]);
  const id = csid - 64;
  return Buffer.from([(fmt << 6) | 1, id & 0xff, id >> 8]);
}

/**
 * One message as a type-0 chunk followed by type-3 continuations. Every message gets a full
 * header: a few bytes more than delta headers, and no state to get wrong.
 */
export function encodeMessage(message: RtmpMessage, chunkSize: number): Buffer {
  const { payload } = message;
  const timestamp = message.timestamp >>> 0;
  const extended = timestamp >= 0xffffff;
  const ext = Buffer.alloc(extended ? 4 : 0);
  if (extended) ext.writeUInt32BE(timestamp, 0);
  const header = Buffer.alloc(11);
  header.writeUIntBE(extended ? 0xffffff : timestamp, 0, 3);
  header.writeUIntBE(payload.length, 3, 3);
  header.writeUInt8(message.typeId, 6);
  header.writeUInt32LE(message.streamId, 7);
  const parts = [basicHeader(0, message.chunkStreamId), header, ext];
  parts.push(payload.subarray(0, chunkSize));
  // Continuations repeat the extended timestamp, as the spec and nginx-rtmp expect.
  const continuation = Buffer.concat([basicHeader(3, message.chunkStreamId), ext]);
  for (let offset = chunkSize; offset < payload.length; offset += chunkSize) {
    parts.push(continuation, payload.subarray(offset, offset + chunkSize));
  }
  return Buffer.concat(parts);
}

interface ChunkStreamState {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  extended: boolean;
  body: Buffer[];
  received: number;
}

/**
 * Reassembles messages from the server's chunks. Server traffic to a publisher is a handful of
 * small messages, so buffering by concatenation is fine. SetChunkSize (type 1) is applied here
 * because it changes how every following chunk is cut.
 */
export class ChunkReader {
  private buffer: Buffer = Buffer.alloc(0);
  private chunkSize = 128;
  private readonly streams = new Map<number, ChunkStreamState>();

  constructor(private readonly onMessage: (message: RtmpMessage) => void) {}

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    for (;;) {
      const used = this.readChunk();
      if (used === 0) return;
      this.buffer = this.buffer.subarray(used);
    }
  }

  /** Parses one chunk at the head of the buffer; returns the bytes used, 0 when incomplete. */
  private readChunk(): number {
    const b = this.buffer;
    if (b.length < 1) return 0;
    const first = b.readUInt8(0);
    const fmt = first >> 6;
    let csid = first & 0x3f;
    let pos = 1;
    if (csid === 0) {
      if (b.length < 2) return 0;
      csid = 64 + b.readUInt8(1);
      pos = 2;
    } else if (csid === 1) {
      if (b.length < 3) return 0;
      csid = 64 + b.readUInt8(1) + b.readUInt8(2) * 256;
      pos = 3;
    }
    const headerLength = [11, 7, 3, 0][fmt] ?? 0;
    if (b.length < pos + headerLength) return 0;
    const previous = this.streams.get(csid);
    if (fmt !== 0 && !previous) throw new Error(`chunk stream ${csid} starts without a header`);
    const state: ChunkStreamState = previous ?? {
      timestamp: 0,
      delta: 0,
      length: 0,
      typeId: 0,
      streamId: 0,
      extended: false,
      body: [],
      received: 0,
    };
    let field = state.extended ? 0xffffff : 0;
    if (fmt <= 2) field = b.readUIntBE(pos, 3);
    if (fmt <= 1) {
      state.length = b.readUIntBE(pos + 3, 3);
      state.typeId = b.readUInt8(pos + 6);
    }
    if (fmt === 0) state.streamId = b.readUInt32LE(pos + 7);
    pos += headerLength;
    const extended = fmt <= 2 ? field === 0xffffff : state.extended;
    let value = field;
    if (extended) {
      if (b.length < pos + 4) return 0;
      value = b.readUInt32BE(pos);
      pos += 4;
    }
    const starting = state.received === 0;
    const want = Math.min(this.chunkSize, state.length - state.received);
    if (b.length < pos + want) return 0;
    // Only now, with the whole chunk present, is the header state committed.
    state.extended = extended;
    if (starting) {
      if (fmt === 0) state.timestamp = value;
      else if (fmt <= 2) {
        state.delta = value;
        state.timestamp += value;
      } else state.timestamp += state.delta;
    }
    state.body.push(b.subarray(pos, pos + want));
    state.received += want;
    this.streams.set(csid, state);
    if (state.received >= state.length) {
      const payload = Buffer.concat(state.body);
      state.body = [];
      state.received = 0;
      if (state.typeId === 1 && payload.length >= 4) {
        this.chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
      }
      this.onMessage({
        chunkStreamId: csid,
        typeId: state.typeId,
        streamId: state.streamId,
        timestamp: state.timestamp,
        payload,
      });
    }
    return pos + want;
  }
}

import { Errcode } from "@onair/callbacks";
import { ByteArena } from "./byte-arena.js";
import { MessageType, type RtmpMessage } from "./message-types.js";
import { RtmpProtocolError } from "./protocol-error.js";

/**
 * The RTMP chunk stream decoder (RTMP spec §5.3): a resumable state machine over the bytes after
 * the handshake. Feed it whatever TCP delivered; it returns the messages completed so far.
 *
 * Pitfalls handled: three-byte chunk stream ids are `64 + b1 + b2·256`; extended timestamps are
 * also present on type-3 chunks of a chunk stream whose last full header used one; a chunk is
 * consumed only when all its bytes arrived, so header state is committed atomically; Set Chunk
 * Size and Abort act on the very next chunk, so they are handled here and not returned.
 *
 * Everything a peer can make it hold is bounded before it is allocated (docs/security.md):
 * a message's declared length (errcode 7), the number of chunk streams (errcode 6), and the bytes
 * held for unfinished chunks and messages together (errcode 7). A message spread over several
 * chunks is reassembled into one buffer of its declared length, so what is counted is what is
 * held. No view of the bytes it is fed outlives a `push`: libuv may read the next bytes into the
 * same buffer (shared-read-buffer.ts).
 */
export interface ChunkParserLimits {
  /** Largest message accepted (Tencent: 1 MB); larger is errcode 7. */
  maxMessageBytes: number;
  /** Bytes held for unfinished chunks and messages across all chunk streams; more is errcode 7. */
  maxPendingBytes: number;
  /** Chunk streams a peer may open (nginx-rtmp `max_streams`: 32); more is errcode 6. */
  maxChunkStreams: number;
}

interface ChunkStreamState {
  timestamp: number;
  /** The delta a type-3 chunk starting a new message adds (the type-0 timestamp after fmt 0). */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The last type 0/1/2 header carried an extended timestamp. */
  extended: boolean;
  /** The message being reassembled (its declared length); null between messages. */
  message: Buffer | null;
  received: number;
}

const DEFAULT_CHUNK_SIZE = 128;
/** Largest chunk size RTMP allows (31 bits in the message, but 0xFFFFFF is the practical cap). */
const MAX_CHUNK_SIZE = 0xffffff;
/** Below this, a peer-set chunk size is a protocol violation (SRS rejects it too). */
const MIN_CHUNK_SIZE = 128;
const MESSAGE_HEADER_BYTES = [11, 7, 3, 0] as const;
/** The carry's capacity kept between reads; a larger one is freed once empty. */
const CARRY_KEPT_BYTES = 16 * 1024;
/** Basic header (up to 3), message header (up to 11) and extended timestamp (4). */
const MAX_CHUNK_HEADER_BYTES = 18;
/**
 * A slab is capped at this fraction of the connection's pending limit: 16 KiB before it publishes
 * (128 KiB limit), 256 KiB once it does (4 MiB), so what a slab holds beyond its pieces stays
 * small next to what the limits count.
 */
const SLABS_PER_PENDING_LIMIT = 16;
const EMPTY = Buffer.alloc(0);

export class ChunkParser {
  /** The bytes being parsed, during `push` only (they may be the caller's transient buffer). */
  private input: Buffer = EMPTY;
  /**
   * Bytes of an incomplete chunk, copied from earlier reads (the caller may reuse its buffers):
   * `carry[0, carryLength)`, a growable buffer.
   */
  private carry: Buffer = EMPTY;
  private carryLength = 0;
  /** The chunk at the head of `carry` needs this many bytes in all; 0: not known yet. */
  private needed = 0;
  /** Declared lengths of the messages being reassembled. */
  private reassembling = 0;
  private chunkSize = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, ChunkStreamState>();
  private readonly arena = new ByteArena();
  private limits: ChunkParserLimits;
  /** Total bytes consumed, for acknowledgements. */
  bytesReceived = 0;

  constructor(limits: ChunkParserLimits) {
    this.limits = { ...limits };
    this.arena.capSlabs(limits.maxPendingBytes / SLABS_PER_PENDING_LIMIT);
  }

  /** Changes the limits from the next byte on (a connection gets more room once it publishes). */
  setLimits(limits: ChunkParserLimits): void {
    this.limits = { ...limits };
    this.arena.capSlabs(limits.maxPendingBytes / SLABS_PER_PENDING_LIMIT);
  }

  /** Bytes held for unfinished chunks and messages. */
  get pendingBytes(): number {
    // The carry's whole allocation while it holds a chunk (it is as large as the largest chunk).
    return (this.carryLength > 0 ? this.carry.length : 0) + this.reassembling;
  }

  /** The peer's current chunk size. */
  get peerChunkSize(): number {
    return this.chunkSize;
  }

  /**
   * Parses `data` after what earlier calls left and returns every message it completed. Throws
   * `RtmpProtocolError`. Nothing of `data` is kept: the caller may overwrite it once this returns
   * (payloads are copies).
   */
  push(data: Buffer): RtmpMessage[] {
    this.bytesReceived += data.length;
    const messages: RtmpMessage[] = [];
    let from = 0;
    try {
      // Finish the chunk the carry holds with only the bytes it still needs, then parse `data`
      // where it stands: a read is copied once at most, and the carry never outgrows one chunk.
      while (this.carryLength > 0 && from < data.length) {
        const wanted =
          this.needed > this.carryLength ? this.needed - this.carryLength : MAX_CHUNK_HEADER_BYTES;
        const taken = Math.min(wanted, data.length - from);
        this.appendToCarry(data, from, from + taken);
        from += taken;
        if (this.carryLength < this.needed) break;
        this.input = this.carry.subarray(0, this.carryLength);
        this.needed = 0;
        const consumed = this.parseFrom(0, messages);
        this.carry.copyWithin(0, consumed, this.carryLength);
        this.carryLength -= consumed;
      }
      if (this.carryLength === 0 && from < data.length) {
        this.input = data;
        this.needed = 0;
        const parsedTo = this.parseFrom(from, messages);
        if (parsedTo < data.length) this.appendToCarry(data, parsedTo, data.length);
      }
    } finally {
      this.input = EMPTY;
    }
    // A large chunk made the carry grow: give the memory back once it is parsed.
    if (this.carryLength === 0 && this.carry.length > CARRY_KEPT_BYTES) this.carry = EMPTY;
    this.checkPending();
    return messages;
  }

  /** Parses whole chunks of `input` from `offset`; returns the offset of the first one left. */
  private parseFrom(offset: number, out: RtmpMessage[]): number {
    let at = offset;
    for (;;) {
      const consumed = this.readChunk(at, out);
      if (consumed === 0) return at;
      at += consumed;
    }
  }

  /**
   * Copies `data[from, to)` to the end of the carry. It grows once to the size of the chunk at its
   * head (`needed`, known from the header; bounded by the message limit), not step by step.
   */
  private appendToCarry(data: Buffer, from: number, to: number): void {
    const length = to - from;
    // An empty carry larger than the chunk it is about to hold is given back first.
    if (this.carryLength === 0 && this.carry.length > Math.max(CARRY_KEPT_BYTES, this.needed)) {
      this.carry = EMPTY;
    }
    if (this.carry.length - this.carryLength < length) {
      const size = Math.max(CARRY_KEPT_BYTES, this.needed, this.carryLength + length);
      const grown = Buffer.allocUnsafeSlow(size);
      this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    data.copy(this.carry, this.carryLength, from, to);
    this.carryLength += length;
  }

  private checkPending(): void {
    if (this.pendingBytes > this.limits.maxPendingBytes) {
      throw new RtmpProtocolError(
        Errcode.MessageTooLarge,
        `${this.pendingBytes} bytes of unfinished chunks and messages exceed the ${this.limits.maxPendingBytes}-byte limit`,
      );
    }
  }

  /** Parses one chunk at `start`; returns its size, or 0 when it is not complete yet. */
  private readChunk(start: number, out: RtmpMessage[]): number {
    const buf = this.input;
    const available = buf.length - start;
    if (available < 1) return 0;
    const first = buf[start] as number;
    const fmt = first >> 6;
    let chunkStreamId = first & 0x3f;
    let pos = start + 1;
    if (chunkStreamId === 0) {
      if (available < 2) return 0;
      chunkStreamId = 64 + (buf[pos] as number);
      pos += 1;
    } else if (chunkStreamId === 1) {
      if (available < 3) return 0;
      chunkStreamId = 64 + (buf[pos] as number) + (buf[pos + 1] as number) * 256;
      pos += 2;
    }

    const headerBytes = MESSAGE_HEADER_BYTES[fmt as 0 | 1 | 2 | 3];
    if (buf.length < pos + headerBytes) return 0;
    const previous = this.streams.get(chunkStreamId);
    if (!previous && fmt !== 0 && fmt !== 1) {
      // librtmp opens some chunk streams with fmt 1 (SRS tolerates it), never with 2 or 3.
      throw new RtmpProtocolError(
        Errcode.RtmpProtocolError,
        `chunk stream ${chunkStreamId} opened with fmt ${fmt}`,
      );
    }
    if (!previous && this.streams.size >= this.limits.maxChunkStreams) {
      throw new RtmpProtocolError(
        Errcode.RtmpProtocolError,
        `chunk stream ${chunkStreamId} would exceed the limit of ${this.limits.maxChunkStreams} chunk streams`,
      );
    }
    const midMessage = previous !== undefined && previous.message !== null;
    if (midMessage && fmt !== 3) {
      throw new RtmpProtocolError(
        Errcode.RtmpProtocolError,
        `fmt ${fmt} chunk inside an unfinished message on chunk stream ${chunkStreamId}`,
      );
    }

    // Read the header into locals; commit only once the whole chunk is buffered.
    let timestampField = 0;
    let length = previous?.length ?? 0;
    let typeId = previous?.typeId ?? 0;
    let streamId = previous?.streamId ?? 0;
    if (fmt <= 2) {
      timestampField = buf.readUIntBE(pos, 3);
      if (fmt <= 1) {
        length = buf.readUIntBE(pos + 3, 3);
        typeId = buf[pos + 6] as number;
        if (fmt === 0) streamId = buf.readUInt32LE(pos + 7);
      }
    }
    pos += headerBytes;
    const extended = fmt <= 2 ? timestampField === 0xffffff : (previous?.extended ?? false);
    let extendedTimestamp = 0;
    if (extended) {
      if (buf.length < pos + 4) return 0;
      extendedTimestamp = buf.readUInt32BE(pos);
      pos += 4;
    }
    if (fmt <= 1 && length > this.limits.maxMessageBytes) {
      throw new RtmpProtocolError(
        Errcode.MessageTooLarge,
        `message of ${length} bytes on chunk stream ${chunkStreamId} exceeds the ${this.limits.maxMessageBytes}-byte limit`,
      );
    }

    const received = midMessage ? (previous?.received ?? 0) : 0;
    const dataBytes = Math.min(this.chunkSize, length - received);
    if (buf.length < pos + dataBytes) {
      this.needed = pos + dataBytes - start;
      return 0;
    }
    const startsMessage = !midMessage && dataBytes < length;
    if (startsMessage && this.reassembling + length > this.limits.maxPendingBytes) {
      throw new RtmpProtocolError(
        Errcode.MessageTooLarge,
        `a ${length}-byte message on chunk stream ${chunkStreamId} would exceed the ${this.limits.maxPendingBytes}-byte limit of unfinished messages`,
      );
    }

    const state: ChunkStreamState = previous ?? {
      timestamp: 0,
      delta: 0,
      length: 0,
      typeId: 0,
      streamId: 0,
      extended: false,
      message: null,
      received: 0,
    };
    if (!midMessage) {
      const field = extended ? extendedTimestamp : timestampField;
      if (fmt === 0) {
        state.timestamp = field;
        state.delta = field;
      } else if (fmt === 1 || fmt === 2) {
        state.delta = field;
        state.timestamp = (state.timestamp + field) >>> 0;
      } else {
        state.timestamp = (state.timestamp + state.delta) >>> 0;
      }
      if (fmt <= 2) state.extended = extended;
      state.length = length;
      state.typeId = typeId;
      state.streamId = streamId;
      state.received = 0;
    }
    this.streams.set(chunkStreamId, state);
    let payload: Buffer | null = null;
    if (dataBytes === state.length) {
      payload = this.arena.copy(buf, pos, pos + dataBytes);
    } else {
      if (startsMessage) {
        // Its own allocation, not a slab's: the peer decides when it completes, and until then
        // exactly its declared length is held (and counted).
        state.message = Buffer.allocUnsafeSlow(state.length);
        this.reassembling += state.length;
      }
      const message = state.message as Buffer;
      buf.copy(message, state.received, pos, pos + dataBytes);
      state.received += dataBytes;
      if (state.received === state.length) {
        payload = message;
        state.message = null;
        state.received = 0;
        this.reassembling -= state.length;
      }
    }
    pos += dataBytes;

    if (payload) {
      const message: RtmpMessage = {
        chunkStreamId,
        typeId: state.typeId,
        streamId: state.streamId,
        timestamp: state.timestamp,
        payload,
      };
      if (!this.applyControl(message)) out.push(message);
    }
    return pos - start;
  }

  /** Set Chunk Size and Abort change how the next chunks parse; returns true when consumed. */
  private applyControl(message: RtmpMessage): boolean {
    if (message.typeId === MessageType.setChunkSize) {
      if (message.payload.length < 4)
        throw new RtmpProtocolError(Errcode.RtmpProtocolError, "short Set Chunk Size");
      const size = message.payload.readUInt32BE(0);
      if (size > 0x7fffffff || size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) {
        throw new RtmpProtocolError(Errcode.RtmpProtocolError, `invalid chunk size ${size}`);
      }
      this.chunkSize = size;
      return true;
    }
    if (message.typeId === MessageType.abort) {
      if (message.payload.length < 4)
        throw new RtmpProtocolError(Errcode.RtmpProtocolError, "short Abort message");
      const state = this.streams.get(message.payload.readUInt32BE(0));
      if (state?.message) {
        this.reassembling -= state.length;
        state.message = null;
        state.received = 0;
      }
      return true;
    }
    return false;
  }
}

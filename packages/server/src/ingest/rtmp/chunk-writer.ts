import type { RtmpMessage } from "./message-types.js";

/**
 * Encodes one message as chunks (RTMP spec §5.3): a type-0 header, then type-3 continuation
 * headers every `chunkSize` bytes, with the extended timestamp repeated on each of them as
 * ffmpeg and the spec expect.
 */
export function encodeChunks(message: RtmpMessage, chunkSize: number): Buffer {
  const { chunkStreamId, payload } = message;
  const extended = message.timestamp >= 0xffffff;
  const basic = basicHeader(0, chunkStreamId);
  const header = Buffer.alloc(basic.length + 11 + (extended ? 4 : 0));
  basic.copy(header, 0);
  let pos = basic.length;
  header.writeUIntBE(extended ? 0xffffff : message.timestamp, pos, 3);
  header.writeUIntBE(payload.length, pos + 3, 3);
  header[pos + 6] = message.typeId;
  header.writeUInt32LE(message.streamId, pos + 7);
  pos += 11;
  if (extended) header.writeUInt32BE(message.timestamp >>> 0, pos);

  const parts: Buffer[] = [header, payload.subarray(0, chunkSize)];
  const continuation = Buffer.concat([
    basicHeader(3, chunkStreamId),
    extended ? uint32(message.timestamp >>> 0) : Buffer.alloc(0),
  ]);
  for (let offset = chunkSize; offset < payload.length; offset += chunkSize) {
    parts.push(continuation, payload.subarray(offset, offset + chunkSize));
  }
  return Buffer.concat(parts);
}

function basicHeader(fmt: number, chunkStreamId: number): Buffer {
  if (chunkStreamId < 64) return Buffer.from([(fmt << 6) | chunkStreamId]);
  if (chunkStreamId < 320) return Buffer.from([fmt << 6, chunkStreamId - 64]);
  const id = chunkStreamId - 64;
  return Buffer.from([(fmt << 6) | 1, id & 0xff, id >> 8]);
}

/** A big-endian 32-bit field, wrapping (RTMP counters and sizes are 32-bit). */
export function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

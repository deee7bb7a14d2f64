import type { FlvTag } from "./flv-tag.js";

/**
 * The FLV file format (Adobe FLV spec, E.2–E.4): a 9-byte header and PreviousTagSize0, then
 * tags of an 11-byte header, the body and a 4-byte PreviousTagSize.
 */
export const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);
/** The same header with only the audio flag (0x04) set: a stream of audio tags alone. */
export const AUDIO_ONLY_FLV_HEADER = Buffer.from([
  0x46, 0x4c, 0x56, 0x01, 0x04, 0, 0, 0, 9, 0, 0, 0, 0,
]);
const TAG_HEADER_BYTES = 11;

/** One tag as file bytes, its timestamp moved to `timestamp` (the file's own timeline). */
export function encodeFlvTag(tag: FlvTag, timestamp: number): Buffer {
  const out = Buffer.alloc(TAG_HEADER_BYTES + tag.data.length + 4);
  out[0] = tag.type;
  out.writeUIntBE(tag.data.length, 1, 3);
  out.writeUIntBE(timestamp & 0xffffff, 4, 3);
  out[7] = (timestamp >>> 24) & 0xff;
  tag.data.copy(out, TAG_HEADER_BYTES);
  out.writeUInt32BE(TAG_HEADER_BYTES + tag.data.length, TAG_HEADER_BYTES + tag.data.length);
  return out;
}

/**
 * Walks an FLV file's tags and reports where the last complete one ends and the timestamp span
 * of the media tags (0 and 0 without any): what a crash-interrupted recording is truncated to
 * and reported with. A file that stops mid-tag ends before that tag; what follows a tag whose
 * size runs past the end is ignored. Null when the bytes are not an FLV file: too short, no `FLV`
 * signature, or a header whose DataOffset is below 9 or past the end (truncating to it would
 * make the file longer).
 */
export function scanFlv(
  bytes: Buffer,
): { validBytes: number; firstTimestamp: number; lastTimestamp: number } | null {
  if (bytes.length < FLV_HEADER.length || bytes.toString("latin1", 0, 3) !== "FLV") return null;
  const dataOffset = bytes.readUInt32BE(5);
  if (dataOffset < 9 || dataOffset + 4 > bytes.length) return null;
  let offset = dataOffset + 4;
  let first = -1;
  let last = 0;
  while (offset + TAG_HEADER_BYTES <= bytes.length) {
    const size = bytes.readUIntBE(offset + 1, 3);
    const end = offset + TAG_HEADER_BYTES + size + 4;
    if (end > bytes.length) break;
    const type = bytes[offset] as number;
    const timestamp =
      (bytes.readUIntBE(offset + 4, 3) | ((bytes[offset + 7] as number) << 24)) >>> 0;
    if (type === 8 || type === 9) {
      if (first < 0) first = timestamp;
      last = timestamp;
    }
    offset = end;
  }
  return { validBytes: offset, firstTimestamp: Math.max(0, first), lastTimestamp: last };
}

import { type AmfValue, decodeAmf0, encodeAmf0 } from "../ingest/rtmp/amf0.js";
import type { FlvTag } from "../media/flv-tag.js";

/**
 * The FLV file format (Adobe FLV spec, E.2–E.4): a 9-byte header and PreviousTagSize0, then
 * tags of an 11-byte header, the body and a 4-byte PreviousTagSize.
 */
export const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]);
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
 * of the media tags: what a crash-interrupted recording is truncated to and reported with.
 */
export function scanFlv(
  bytes: Buffer,
): { validBytes: number; firstTimestamp: number; lastTimestamp: number } | null {
  if (bytes.length < FLV_HEADER.length || bytes.toString("latin1", 0, 3) !== "FLV") return null;
  let offset = bytes.readUInt32BE(5) + 4;
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

/**
 * The publisher's onMetaData for one file: `duration` and `filesize` are the file's own, so they
 * start at 0 and `duration` is patched when the file closes. Returns the tag body and where the
 * 8-byte duration sits in it (null when the metadata does not decode).
 */
export function fileMetadata(tag: FlvTag): { data: Buffer; durationOffset: number } | null {
  let values: AmfValue[];
  try {
    values = decodeAmf0(tag.data);
  } catch {
    return null;
  }
  const [name, object] = values;
  if (
    name !== "onMetaData" ||
    typeof object !== "object" ||
    object === null ||
    Array.isArray(object) ||
    object instanceof Date
  ) {
    return null;
  }
  const { duration: _duration, filesize: _filesize, ...rest } = object;
  // Duration first, so its position is fixed: after "onMetaData" and the object's marker.
  const data = encodeAmf0(["onMetaData", { duration: 0, ...rest }]);
  const marker = Buffer.from([0x00, 0x08, ...Buffer.from("duration"), 0x00]);
  const at = data.indexOf(marker);
  return at < 0 ? null : { data, durationOffset: at + marker.length };
}

import { type AmfValue, decodeAmf0, encodeAmf0 } from "../ingest/rtmp/amf0.js";
import type { FlvTag } from "../media/flv-tag.js";

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

import type { FlvTag } from "./flv-tag.js";

/** Encodings kept per tag: viewers on more timelines than this encode their own copy. */
const MAX_ENCODINGS_PER_TAG = 8;

const encodings = new WeakMap<FlvTag, Map<string, Buffer>>();

/**
 * The wire bytes of one live tag for one viewer, shared by every viewer whose bytes would be the
 * same: a live stream's tag is one object for all of its viewers (PlaySource hands each the same
 * FlvTag), and viewers that joined on the same keyframe share a timeline, so the tag is encoded
 * (chunked for RTMP, framed for HTTP-FLV) once for all of them instead of once per viewer. `key`
 * names everything the bytes depend on besides the tag (timestamp, chunk size, stream id). The
 * entries go with the tag (WeakMap) once no viewer or GOP cache holds it.
 */
export function sharedEncoding(tag: FlvTag, key: string, encode: () => Buffer): Buffer {
  let byKey = encodings.get(tag);
  const cached = byKey?.get(key);
  if (cached) return cached;
  const bytes = encode();
  if (!byKey) {
    byKey = new Map();
    encodings.set(tag, byKey);
  }
  if (byKey.size < MAX_ENCODINGS_PER_TAG) byKey.set(key, bytes);
  return bytes;
}

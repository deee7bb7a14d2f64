import { readFile } from "node:fs/promises";

/** One FLV tag: 8 audio, 9 video, 18 script data (onMetaData). */
export interface FlvTag {
  type: number;
  /** Milliseconds from the start of the file. */
  timestamp: number;
  data: Buffer;
}

/** Parses a whole FLV file (header, then tags each followed by a PreviousTagSize). */
export function parseFlv(file: Buffer): FlvTag[] {
  if (file.length < 9 || file.toString("latin1", 0, 3) !== "FLV")
    throw new Error("not an FLV file");
  const tags: FlvTag[] = [];
  let pos = file.readUInt32BE(5) + 4; // header length, then PreviousTagSize0
  while (pos + 11 <= file.length) {
    const type = file.readUInt8(pos) & 0x1f;
    const size = file.readUIntBE(pos + 1, 3);
    // 24-bit timestamp plus an extension byte holding bits 24–31.
    const timestamp = (file.readUInt8(pos + 7) << 24) | file.readUIntBE(pos + 4, 3);
    const start = pos + 11;
    if (start + size > file.length) break; // a truncated last tag is dropped, not fatal
    tags.push({ type, timestamp: timestamp >>> 0, data: file.subarray(start, start + size) });
    pos = start + size + 4;
  }
  return tags;
}

export async function readFlvFile(path: string): Promise<FlvTag[]> {
  return parseFlv(await readFile(path));
}

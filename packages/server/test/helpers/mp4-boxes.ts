/**
 * A small ISO BMFF reader for tests (ISO/IEC 14496-12 §4.2), written apart from the writer
 * under test: it splits a buffer into boxes (32-bit sizes only) and reads the fields of the few
 * boxes the tests check.
 */
export interface Mp4Box {
  type: string;
  /** The payload, after the 8-byte header. */
  body: Buffer;
  /** Offset of the box's first byte in the buffer read. */
  start: number;
}

const CONTAINERS = new Set([
  "moov",
  "trak",
  "mdia",
  "minf",
  "stbl",
  "mvex",
  "moof",
  "traf",
  "dinf",
]);

export function readBoxes(buffer: Buffer, base = 0): Mp4Box[] {
  const boxes: Mp4Box[] = [];
  let at = 0;
  while (at < buffer.length) {
    if (buffer.length - at < 8) throw new Error(`truncated box header at ${base + at}`);
    const size = buffer.readUInt32BE(at);
    if (size < 8 || at + size > buffer.length)
      throw new Error(`bad box size ${size} at ${base + at}`);
    boxes.push({
      type: buffer.toString("latin1", at + 4, at + 8),
      body: buffer.subarray(at + 8, at + size),
      start: base + at,
    });
    at += size;
  }
  return boxes;
}

/** Every box at `path` (`moov/trak/mdia/mdhd`), descending into the container boxes. */
export function findBoxes(buffer: Buffer, path: string): Mp4Box[] {
  const [head, ...rest] = path.split("/");
  const found = readBoxes(buffer).filter((b) => b.type === head);
  if (rest.length === 0) return found;
  return found.flatMap((b) => {
    if (!CONTAINERS.has(b.type)) throw new Error(`${b.type} is not a container`);
    return findBoxes(b.body, rest.join("/"));
  });
}

export interface TrunEntry {
  duration: number;
  size: number;
  flags: number;
  compositionOffset: number;
}

/** A traf read back: track id, base decode time, data offset and the trun entries. */
export function readTraf(traf: Buffer): {
  trackId: number;
  baseDecodeTime: number;
  dataOffset: number;
  entries: TrunEntry[];
} {
  const boxes = readBoxes(traf);
  const tfhd = boxes.find((b) => b.type === "tfhd")?.body as Buffer;
  const tfdt = boxes.find((b) => b.type === "tfdt")?.body as Buffer;
  const trun = boxes.find((b) => b.type === "trun")?.body as Buffer;
  const version = tfdt[0];
  const baseDecodeTime = version === 1 ? Number(tfdt.readBigUInt64BE(4)) : tfdt.readUInt32BE(4);
  const flags = trun.readUInt32BE(0) & 0xffffff;
  if (flags !== 0xf01) throw new Error(`unexpected trun flags ${flags.toString(16)}`);
  const count = trun.readUInt32BE(4);
  const dataOffset = trun.readInt32BE(8);
  const entries: TrunEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    entries.push({
      duration: trun.readUInt32BE(at),
      size: trun.readUInt32BE(at + 4),
      flags: trun.readUInt32BE(at + 8),
      compositionOffset: trun.readInt32BE(at + 12),
    });
  }
  return { trackId: tfhd.readUInt32BE(4), baseDecodeTime, dataOffset, entries };
}

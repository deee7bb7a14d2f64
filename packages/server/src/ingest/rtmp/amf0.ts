import { Errcode } from "@onair/callbacks";
import { type AmfValue, defineValue } from "./amf-value.js";
import { Amf3Reader } from "./amf3.js";
import { RtmpProtocolError } from "./protocol-error.js";

export type { AmfValue } from "./amf-value.js";

/**
 * AMF0 (Adobe's Action Message Format, version 0), the encoding of RTMP commands and metadata.
 * The decoder is total over untrusted bytes: every read is bounds-checked, nesting and entry
 * counts are capped, and any violation is a `RtmpProtocolError` with errcode 33 — never a
 * RangeError (Node-Media-Server crashed on exactly that, NMS #88).
 */
const MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  null: 0x05,
  undefined: 0x06,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  unsupported: 0x0d,
  xmlDocument: 0x0f,
  typedObject: 0x10,
  avmPlus: 0x11,
} as const;

/** Deeper than any real client nests (metadata is two levels). */
const MAX_DEPTH = 32;
/** A cap on declared array lengths, so a 4-byte count cannot make us loop for minutes. */
const MAX_ENTRIES = 65_536;

function amfError(message: string): RtmpProtocolError {
  return new RtmpProtocolError(Errcode.AmfError, `AMF0: ${message}`);
}

/** Decodes every value in `buf` (a command is a sequence of values). */
export function decodeAmf0(buf: Buffer): AmfValue[] {
  const reader = new Amf0Reader(buf);
  const values: AmfValue[] = [];
  while (reader.offset < buf.length) values.push(reader.value(0));
  return values;
}

class Amf0Reader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  private need(bytes: number): void {
    if (this.offset + bytes > this.buf.length) {
      throw amfError(`truncated value at byte ${this.offset}`);
    }
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.offset++] as number;
  }

  private u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  private double(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  private utf8(length: number): string {
    this.need(length);
    const s = this.buf.toString("utf8", this.offset, this.offset + length);
    this.offset += length;
    return s;
  }

  value(depth: number): AmfValue {
    if (depth > MAX_DEPTH) throw amfError(`nesting deeper than ${MAX_DEPTH}`);
    const marker = this.u8();
    switch (marker) {
      case MARKER.number:
        return this.double();
      case MARKER.boolean:
        return this.u8() !== 0;
      case MARKER.string:
        return this.utf8(this.u16());
      case MARKER.longString:
      case MARKER.xmlDocument:
        return this.utf8(this.u32());
      case MARKER.object:
        return this.properties(depth);
      case MARKER.typedObject:
        this.utf8(this.u16()); // the class name carries nothing a publish server needs
        return this.properties(depth);
      case MARKER.ecmaArray:
        this.u32(); // the count is only a hint; entries run to the end marker
        return this.properties(depth);
      case MARKER.strictArray: {
        const count = this.u32();
        if (count > MAX_ENTRIES) throw amfError(`strict array of ${count} entries`);
        const items: AmfValue[] = [];
        for (let i = 0; i < count; i++) items.push(this.value(depth + 1));
        return items;
      }
      case MARKER.date: {
        const ms = this.double();
        this.u16(); // time zone, unused by the spec
        return new Date(ms);
      }
      case MARKER.null:
        return null;
      case MARKER.undefined:
      case MARKER.unsupported:
        return undefined;
      case MARKER.avmPlus: {
        // One value in AMF3 (Flash clients with objectEncoding 3).
        const reader = new Amf3Reader(this.buf, this.offset);
        const value = reader.value(depth + 1);
        this.offset = reader.offset;
        return value;
      }
      case MARKER.reference:
        // References point back into the same message; publishers never send them.
        this.u16();
        return undefined;
      default:
        throw amfError(`unknown marker 0x${marker.toString(16)} at byte ${this.offset - 1}`);
    }
  }

  private properties(depth: number): { [key: string]: AmfValue } {
    const object: { [key: string]: AmfValue } = {};
    for (let entries = 0; ; entries++) {
      if (entries > MAX_ENTRIES) throw amfError("object with too many properties");
      const key = this.utf8(this.u16());
      if (key === "") {
        // An empty key is followed by the object-end marker.
        if (this.u8() !== MARKER.objectEnd) throw amfError("empty key without object end");
        return object;
      }
      defineValue(object, key, this.value(depth + 1));
    }
  }
}

/** Encodes values as AMF0 (the server's replies: `_result`, `onStatus`, metadata). */
export function encodeAmf0(values: readonly AmfValue[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) writeValue(parts, value);
  return Buffer.concat(parts);
}

function writeString(parts: Buffer[], s: string): void {
  const bytes = Buffer.from(s, "utf8");
  const head = Buffer.alloc(2);
  head.writeUInt16BE(bytes.length);
  parts.push(head, bytes);
}

function writeValue(parts: Buffer[], value: AmfValue): void {
  if (typeof value === "number") {
    const b = Buffer.alloc(9);
    b[0] = MARKER.number;
    b.writeDoubleBE(value, 1);
    parts.push(b);
  } else if (typeof value === "boolean") {
    parts.push(Buffer.from([MARKER.boolean, value ? 1 : 0]));
  } else if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    if (bytes.length > 0xffff) {
      const head = Buffer.alloc(5);
      head[0] = MARKER.longString;
      head.writeUInt32BE(bytes.length, 1);
      parts.push(head, bytes);
    } else {
      parts.push(Buffer.from([MARKER.string]));
      writeString(parts, value);
    }
  } else if (value === null) {
    parts.push(Buffer.from([MARKER.null]));
  } else if (value === undefined) {
    parts.push(Buffer.from([MARKER.undefined]));
  } else if (value instanceof Date) {
    const b = Buffer.alloc(11);
    b[0] = MARKER.date;
    b.writeDoubleBE(value.getTime(), 1);
    parts.push(b);
  } else if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = MARKER.strictArray;
    head.writeUInt32BE(value.length, 1);
    parts.push(head);
    for (const item of value) writeValue(parts, item);
  } else {
    parts.push(Buffer.from([MARKER.object]));
    for (const [key, item] of Object.entries(value)) {
      writeString(parts, key);
      writeValue(parts, item);
    }
    parts.push(Buffer.from([0, 0, MARKER.objectEnd]));
  }
}

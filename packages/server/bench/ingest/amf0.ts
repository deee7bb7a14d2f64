/**
 * A tiny AMF0 codec for the load publisher's command messages. Kept here, apart from the
 * server's own codec, so the benchmark client never shares a bug with the code it measures.
 */

export type Amf0Value = number | boolean | string | null | undefined | Amf0Object | Amf0Value[];
export interface Amf0Object {
  [key: string]: Amf0Value;
}

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;

export function encodeAmf0(...values: Amf0Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) encodeValue(value, parts);
  return Buffer.concat(parts);
}

function encodeValue(value: Amf0Value, parts: Buffer[]): void {
  if (value === null) parts.push(Buffer.from([NULL]));
  else if (value === undefined) parts.push(Buffer.from([UNDEFINED]));
  else if (typeof value === "number") {
    const b = Buffer.alloc(9);
    b[0] = NUMBER;
    b.writeDoubleBE(value, 1);
    parts.push(b);
  } else if (typeof value === "boolean") parts.push(Buffer.from([BOOLEAN, value ? 1 : 0]));
  else if (typeof value === "string") {
    const text = Buffer.from(value, "utf8");
    if (text.length > 0xffff) throw new Error("AMF0 long strings are not needed here");
    parts.push(Buffer.from([STRING]), shortString(value));
  } else if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = STRICT_ARRAY;
    head.writeUInt32BE(value.length, 1);
    parts.push(head);
    for (const item of value) encodeValue(item, parts);
  } else {
    parts.push(Buffer.from([OBJECT]));
    for (const [key, item] of Object.entries(value)) {
      parts.push(shortString(key));
      encodeValue(item, parts);
    }
    parts.push(Buffer.from([0, 0, OBJECT_END]));
  }
}

function shortString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  const b = Buffer.alloc(2 + bytes.length);
  b.writeUInt16BE(bytes.length, 0);
  bytes.copy(b, 2);
  return b;
}

/** Decodes every value in `data` (a command message body). Throws on truncated input. */
export function decodeAmf0(data: Buffer): Amf0Value[] {
  const reader = { data, pos: 0 };
  const values: Amf0Value[] = [];
  while (reader.pos < data.length) values.push(decodeValue(reader));
  return values;
}

interface Reader {
  data: Buffer;
  pos: number;
}

function take(reader: Reader, length: number): Buffer {
  if (reader.pos + length > reader.data.length) throw new Error("truncated AMF0 value");
  const slice = reader.data.subarray(reader.pos, reader.pos + length);
  reader.pos += length;
  return slice;
}

function readShortString(reader: Reader): string {
  const length = take(reader, 2).readUInt16BE(0);
  return take(reader, length).toString("utf8");
}

function readProperties(reader: Reader): Amf0Object {
  const object: Amf0Object = {};
  for (;;) {
    const key = readShortString(reader);
    if (key === "" && reader.data[reader.pos] === OBJECT_END) {
      reader.pos++;
      return object;
    }
    object[key] = decodeValue(reader);
  }
}

function decodeValue(reader: Reader): Amf0Value {
  const marker = take(reader, 1).readUInt8(0);
  switch (marker) {
    case NUMBER:
      return take(reader, 8).readDoubleBE(0);
    case BOOLEAN:
      return take(reader, 1).readUInt8(0) !== 0;
    case STRING:
      return readShortString(reader);
    case LONG_STRING:
      return take(reader, take(reader, 4).readUInt32BE(0)).toString("utf8");
    case OBJECT:
      return readProperties(reader);
    case ECMA_ARRAY:
      take(reader, 4); // the count is advisory; the end marker is what ends it
      return readProperties(reader);
    case STRICT_ARRAY: {
      const count = take(reader, 4).readUInt32BE(0);
      const items: Amf0Value[] = [];
      for (let i = 0; i < count; i++) items.push(decodeValue(reader));
      return items;
    }
    case DATE: {
      const ms = take(reader, 10).readDoubleBE(0);
      return ms;
    }
    case NULL:
      return null;
    case UNDEFINED:
      return undefined;
    default:
      throw new Error(`unsupported AMF0 marker 0x${marker.toString(16)}`);
  }
}

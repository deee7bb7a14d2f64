import { Errcode } from "@onair/callbacks";
import { type AmfValue, defineValue } from "./amf-value.js";
import { RtmpProtocolError } from "./protocol-error.js";

/**
 * AMF3 (Adobe's AMF 3 specification), as Flash-era publishers with `objectEncoding` 3 send it:
 * inside AMF0 command and data messages, marker 0x11 switches one value to AMF3. Decoded to the
 * same plain values as AMF0 (objects, arrays, strings, numbers, dates); byte arrays, XML and
 * vectors are skipped to `undefined` — a publish server needs none of them. Total over untrusted
 * bytes like the AMF0 decoder: bounded depth and counts, references checked, errcode 33 on error.
 */
const MAX_DEPTH = 32;
const MAX_ENTRIES = 65_536;

function amfError(message: string): RtmpProtocolError {
  return new RtmpProtocolError(Errcode.AmfError, `AMF3: ${message}`);
}

interface Traits {
  dynamic: boolean;
  names: string[];
}

export class Amf3Reader {
  private readonly strings: string[] = [];
  private readonly objects: AmfValue[] = [];
  private readonly traits: Traits[] = [];

  constructor(
    private readonly buf: Buffer,
    public offset: number,
  ) {}

  private u8(): number {
    const byte = this.buf[this.offset];
    if (byte === undefined) throw amfError(`truncated value at byte ${this.offset}`);
    this.offset++;
    return byte;
  }

  /** U29: 1–4 bytes, 7 bits each except a full 8 in the fourth. */
  private u29(): number {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const byte = this.u8();
      value = (value << 7) | (byte & 0x7f);
      if ((byte & 0x80) === 0) return value;
    }
    return ((value << 8) | this.u8()) >>> 0;
  }

  private bytes(length: number): Buffer {
    if (this.offset + length > this.buf.length)
      throw amfError(`truncated value at byte ${this.offset}`);
    const out = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  private string(): string {
    const header = this.u29();
    if ((header & 1) === 0) return this.reference(this.strings, header >> 1, "string") as string;
    const value = this.bytes(header >> 1).toString("utf8");
    if (value !== "") this.strings.push(value); // the empty string is never a reference target
    return value;
  }

  private reference<T>(table: T[], index: number, what: string): T {
    if (index >= table.length) throw amfError(`${what} reference ${index} out of range`);
    return table[index] as T;
  }

  value(depth = 0): AmfValue {
    if (depth > MAX_DEPTH) throw amfError(`nesting deeper than ${MAX_DEPTH}`);
    const marker = this.u8();
    switch (marker) {
      case 0x00:
        return undefined;
      case 0x01:
        return null;
      case 0x02:
        return false;
      case 0x03:
        return true;
      case 0x04: {
        const u = this.u29();
        return u & 0x10000000 ? u - 0x20000000 : u; // 29-bit two's complement
      }
      case 0x05:
        return this.bytes(8).readDoubleBE(0);
      case 0x06:
        return this.string();
      case 0x07:
      case 0x0b:
      case 0x0c:
        return this.skipBlob();
      case 0x08: {
        const header = this.u29();
        if ((header & 1) === 0) return this.reference(this.objects, header >> 1, "object");
        const date = new Date(this.bytes(8).readDoubleBE(0));
        this.objects.push(date);
        return date;
      }
      case 0x09:
        return this.array(depth);
      case 0x0a:
        return this.object(depth);
      default:
        throw amfError(`unsupported marker 0x${marker.toString(16)} at byte ${this.offset - 1}`);
    }
  }

  /** XML, XMLDocument and ByteArray: a length-prefixed blob, or a reference to one. */
  private skipBlob(): undefined {
    const header = this.u29();
    if ((header & 1) === 0) {
      this.reference(this.objects, header >> 1, "object");
      return undefined;
    }
    this.bytes(header >> 1);
    this.objects.push(undefined);
    return undefined;
  }

  private array(depth: number): AmfValue {
    const header = this.u29();
    if ((header & 1) === 0) return this.reference(this.objects, header >> 1, "object");
    const count = header >> 1;
    if (count > MAX_ENTRIES) throw amfError(`array of ${count} entries`);
    const associative: { [key: string]: AmfValue } = {};
    let hasAssociative = false;
    const slot = this.objects.push(undefined) - 1;
    for (let entries = 0; ; entries++) {
      if (entries > MAX_ENTRIES) throw amfError("array with too many named entries");
      const key = this.string();
      if (key === "") break;
      defineValue(associative, key, this.value(depth + 1));
      hasAssociative = true;
    }
    const dense: AmfValue[] = [];
    for (let i = 0; i < count; i++) dense.push(this.value(depth + 1));
    const result: AmfValue = hasAssociative
      ? { ...associative, ...Object.fromEntries(dense.entries()) }
      : dense;
    this.objects[slot] = result;
    return result;
  }

  private object(depth: number): AmfValue {
    const header = this.u29();
    if ((header & 1) === 0) return this.reference(this.objects, header >> 1, "object");
    let traits: Traits;
    if ((header & 2) === 0) {
      traits = this.reference(this.traits, header >> 2, "traits");
    } else {
      if ((header & 4) !== 0) throw amfError("externalizable objects are not supported");
      const count = header >> 4;
      if (count > MAX_ENTRIES) throw amfError(`${count} sealed members`);
      this.string(); // class name
      const names: string[] = [];
      for (let i = 0; i < count; i++) names.push(this.string());
      traits = { dynamic: (header & 8) !== 0, names };
      this.traits.push(traits);
    }
    const object: { [key: string]: AmfValue } = {};
    this.objects.push(object);
    for (const name of traits.names) defineValue(object, name, this.value(depth + 1));
    if (traits.dynamic) {
      for (let entries = 0; ; entries++) {
        if (entries > MAX_ENTRIES) throw amfError("object with too many dynamic members");
        const key = this.string();
        if (key === "") break;
        defineValue(object, key, this.value(depth + 1));
      }
    }
    return object;
  }
}

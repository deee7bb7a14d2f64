import type { FlvTag } from "./flv-tag.js";

/** Why an FLV byte stream cannot be read on. */
export class FlvReadError extends Error {
  override readonly name = "FlvReadError";
}

const HEADER_BYTES = 9;
const TAG_HEADER_BYTES = 11;
/** A DataOffset past this is not an FLV header (version 1 writes 9). */
const MAX_DATA_OFFSET = 1024;

type State =
  | { at: "header" }
  | { at: "skip"; bytes: number }
  | { at: "tagHeader" }
  | { at: "tagBody"; type: number; size: number; timestamp: number };

/**
 * Reads an FLV byte stream (Adobe FLV spec, E.2–E.4: header, PreviousTagSize0, then tags with
 * their PreviousTagSize) as it arrives, in chunks split anywhere. It holds at most one tag's
 * bytes plus the chunk being read: a tag whose DataSize is over `maxTagBytes` is an error, as are
 * a missing signature, an odd DataOffset and a PreviousTagSize that does not match its tag.
 * Audio, video and script tags come out; others (and encrypted ones, the Filter bit set) are
 * skipped, and so are empty ones.
 */
export class FlvReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private state: State = { at: "header" };
  private failed = false;

  constructor(private readonly maxTagBytes: number) {}

  /** Bytes held for a tag (or header) not complete yet. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Takes the next bytes; returns the tags they complete. Throws FlvReadError on bad input. */
  push(chunk: Buffer): FlvTag[] {
    if (this.failed) throw new FlvReadError("the stream already failed");
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const tags: FlvTag[] = [];
    try {
      for (;;) {
        const need = this.needed();
        if (this.buffered < need) return tags;
        const tag = this.step(this.take(need));
        if (tag) tags.push(tag);
      }
    } catch (err) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      throw err;
    }
  }

  private needed(): number {
    switch (this.state.at) {
      case "header":
        return HEADER_BYTES;
      case "skip":
        return this.state.bytes;
      case "tagHeader":
        return TAG_HEADER_BYTES;
      case "tagBody":
        return this.state.size + 4;
    }
  }

  private step(bytes: Buffer): FlvTag | null {
    const state = this.state;
    switch (state.at) {
      case "header": {
        if (bytes.toString("latin1", 0, 3) !== "FLV") throw new FlvReadError("no FLV signature");
        const dataOffset = bytes.readUInt32BE(5);
        if (dataOffset < HEADER_BYTES || dataOffset > MAX_DATA_OFFSET) {
          throw new FlvReadError(`bad FLV DataOffset ${dataOffset}`);
        }
        // What follows the header up to DataOffset, then PreviousTagSize0.
        this.state = { at: "skip", bytes: dataOffset - HEADER_BYTES + 4 };
        return null;
      }
      case "skip":
        this.state = { at: "tagHeader" };
        return null;
      case "tagHeader": {
        const size = bytes.readUIntBE(1, 3);
        if (size > this.maxTagBytes) {
          throw new FlvReadError(`FLV tag of ${size} bytes (more than ${this.maxTagBytes})`);
        }
        const timestamp = (bytes.readUIntBE(4, 3) | ((bytes[7] as number) << 24)) >>> 0;
        this.state = { at: "tagBody", type: bytes[0] as number, size, timestamp };
        return null;
      }
      case "tagBody": {
        this.state = { at: "tagHeader" };
        const previous = bytes.readUInt32BE(state.size);
        if (previous !== TAG_HEADER_BYTES + state.size) {
          throw new FlvReadError(
            `PreviousTagSize ${previous} after a tag of ${TAG_HEADER_BYTES + state.size} bytes`,
          );
        }
        const type = state.type;
        if (state.size === 0 || (type !== 8 && type !== 9 && type !== 18)) return null;
        return { type, timestamp: state.timestamp, data: bytes.subarray(0, state.size) };
      }
    }
  }

  /** The next `count` buffered bytes, copied out of the chunks only when they straddle two. */
  private take(count: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= count) {
      out = first.subarray(0, count);
      if (first.length === count) this.chunks.shift();
      else this.chunks[0] = first.subarray(count);
    } else {
      out = Buffer.allocUnsafe(count);
      let filled = 0;
      while (filled < count) {
        const chunk = this.chunks[0] as Buffer;
        const n = Math.min(chunk.length, count - filled);
        chunk.copy(out, filled, 0, n);
        filled += n;
        if (n === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(n);
      }
    }
    this.buffered -= count;
    return out;
  }
}

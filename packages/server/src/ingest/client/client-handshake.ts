import { Errcode } from "@onair/callbacks";
import { HANDSHAKE_PACKET_BYTES } from "../rtmp/handshake.js";
import { RtmpProtocolError } from "../rtmp/protocol-error.js";

const RTMP_VERSION = 3;
/** S0 + S1 + S2. */
const SERVER_REPLY_BYTES = 1 + 2 * HANDSHAKE_PACKET_BYTES;

/**
 * C0 + C1 of the simple handshake (RTMP spec §5.2): version 3, a time, four zero bytes (no
 * digest, so servers answer with the simple handshake: nginx-rtmp, SRS and OnAir all do), random
 * bytes. `randomBytes` is injected so tests are deterministic.
 */
export function clientHello(options: {
  randomBytes: (size: number) => Buffer;
  nowMs: number;
}): Buffer {
  const c1 = options.randomBytes(HANDSHAKE_PACKET_BYTES);
  c1.writeUInt32BE(Math.floor(options.nowMs / 1000) >>> 0, 0);
  c1.fill(0, 4, 8);
  return Buffer.concat([Buffer.from([RTMP_VERSION]), c1]);
}

export type HandshakeStep = { done: false } | { done: true; c2: Buffer; rest: Buffer };

/**
 * The client side of the handshake after C0 + C1 went out: collects S0 + S1 + S2 (never more
 * than their 3073 bytes are held), checks S0's version, and answers C2 = S1 (the echo every
 * server accepts). What arrived after S2 is returned as `rest`, the first chunk bytes.
 */
export class ClientHandshake {
  private bytes: Buffer = Buffer.alloc(0);

  push(data: Buffer): HandshakeStep {
    this.bytes = this.bytes.length === 0 ? data : Buffer.concat([this.bytes, data]);
    if (this.bytes.length >= 1 && this.bytes[0] !== RTMP_VERSION) {
      throw new RtmpProtocolError(
        Errcode.RtmpProtocolError,
        `server handshake version ${this.bytes[0]} (expected 3)`,
      );
    }
    if (this.bytes.length < SERVER_REPLY_BYTES) return { done: false };
    const s1 = this.bytes.subarray(1, 1 + HANDSHAKE_PACKET_BYTES);
    const rest = this.bytes.subarray(SERVER_REPLY_BYTES);
    this.bytes = Buffer.alloc(0);
    return { done: true, c2: Buffer.from(s1), rest };
  }
}

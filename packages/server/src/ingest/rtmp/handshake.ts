import { createHmac, timingSafeEqual } from "node:crypto";
import { Errcode } from "@onair/callbacks";
import { RtmpProtocolError } from "./protocol-error.js";

/**
 * The RTMP handshake, server side. Clients send C0 (version 3) + C1 (1536 bytes); we answer
 * S0 + S1 + S2 at once and then wait for C2, whose content is ignored. When C1 carries a Flash
 * Player digest (ffmpeg sends one), the reply is the "complex" handshake with a Flash Media Server
 * digest, which ffmpeg validates when it connects as a reader; otherwise the simple handshake
 * (S2 = echo of C1) that every publisher accepts (ffmpeg checks the digest only when it plays).
 */
export const HANDSHAKE_PACKET_BYTES = 1536;
/** C0 + C1. */
export const HANDSHAKE_REQUEST_BYTES = 1 + HANDSHAKE_PACKET_BYTES;

const RTMP_VERSION = 3;
const DIGEST_BYTES = 32;
const GENUINE_CRUD = Buffer.from(
  "f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae",
  "hex",
);
const FLASH_PLAYER_KEY = Buffer.concat([
  Buffer.from("Genuine Adobe Flash Player 001"),
  GENUINE_CRUD,
]);
const MEDIA_SERVER_KEY = Buffer.concat([
  Buffer.from("Genuine Adobe Flash Media Server 001"),
  GENUINE_CRUD,
]);
/** Version bytes of S1 in a digest reply (FMS 13.14.10.13, as SRS and NMS use). */
const SERVER_VERSION = Buffer.from([13, 14, 10, 13]);

type DigestScheme = 0 | 1;

/** Where the 32-byte digest sits in a 1536-byte packet, by scheme (0: base 772, 1: base 8). */
function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const base = scheme === 0 ? 772 : 8;
  const sum =
    (packet[base] as number) +
    (packet[base + 1] as number) +
    (packet[base + 2] as number) +
    (packet[base + 3] as number);
  return (sum % 728) + base + 4;
}

function hmac(key: Buffer, ...data: Buffer[]): Buffer {
  const h = createHmac("sha256", key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** The digest over a packet minus its digest bytes. */
function packetDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return hmac(key, packet.subarray(0, offset), packet.subarray(offset + DIGEST_BYTES));
}

/** Returns the client's digest and scheme when C1 carries a valid Flash Player digest. */
function findClientDigest(c1: Buffer): { digest: Buffer; scheme: DigestScheme } | null {
  for (const scheme of [1, 0] as const) {
    const offset = digestOffset(c1, scheme);
    const expected = packetDigest(c1, offset, FLASH_PLAYER_KEY.subarray(0, 30));
    const received = c1.subarray(offset, offset + DIGEST_BYTES);
    if (timingSafeEqual(expected, received)) return { digest: received, scheme };
  }
  return null;
}

/**
 * Builds S0 + S1 + S2 for C0 + C1 (`request`, exactly `HANDSHAKE_REQUEST_BYTES`).
 * `randomBytes` is injected so tests are deterministic. Throws errcode 6 for a version other
 * than 3 (RTMPE and garbage alike).
 */
export function handshakeReply(
  request: Buffer,
  options: { randomBytes: (size: number) => Buffer; nowMs: number },
): Buffer {
  if (request[0] !== RTMP_VERSION) {
    throw new RtmpProtocolError(
      Errcode.RtmpProtocolError,
      `handshake version ${request[0]} (only plain RTMP 3)`,
    );
  }
  const c1 = request.subarray(1, HANDSHAKE_REQUEST_BYTES);
  const s1 = options.randomBytes(HANDSHAKE_PACKET_BYTES);
  s1.writeUInt32BE(Math.floor(options.nowMs / 1000) >>> 0, 0);
  const client = findClientDigest(c1);
  if (!client) {
    s1.fill(0, 4, 8);
    return Buffer.concat([Buffer.from([RTMP_VERSION]), s1, c1]);
  }
  SERVER_VERSION.copy(s1, 4);
  const s1DigestAt = digestOffset(s1, client.scheme);
  packetDigest(s1, s1DigestAt, MEDIA_SERVER_KEY.subarray(0, 36)).copy(s1, s1DigestAt);

  const s2 = options.randomBytes(HANDSHAKE_PACKET_BYTES);
  const s2Key = hmac(MEDIA_SERVER_KEY, client.digest);
  hmac(s2Key, s2.subarray(0, HANDSHAKE_PACKET_BYTES - DIGEST_BYTES)).copy(
    s2,
    HANDSHAKE_PACKET_BYTES - DIGEST_BYTES,
  );
  return Buffer.concat([Buffer.from([RTMP_VERSION]), s1, s2]);
}

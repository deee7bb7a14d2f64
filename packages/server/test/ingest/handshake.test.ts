import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { handshakeReply } from "../../src/ingest/rtmp/handshake.js";
import { RtmpProtocolError } from "../../src/ingest/rtmp/protocol-error.js";

/** Adobe's published handshake keys, restated here so the test does not borrow the server's. */
const CRUD = Buffer.from("f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae", "hex");
const PLAYER_KEY = Buffer.from("Genuine Adobe Flash Player 001");
const SERVER_KEY = Buffer.concat([Buffer.from("Genuine Adobe Flash Media Server 001"), CRUD]);
const hmac = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest();
const withoutDigest = (p: Buffer, at: number) =>
  Buffer.concat([p.subarray(0, at), p.subarray(at + 32)]);
/** Digest offset of scheme 1 (base 8), the one ffmpeg uses. */
const offset = (p: Buffer) =>
  (((p[8] as number) + (p[9] as number) + (p[10] as number) + (p[11] as number)) % 728) + 12;

const deterministic = {
  randomBytes: (n: number) => Buffer.alloc(n, 0x5a),
  nowMs: 1_700_000_000_000,
};

describe("RTMP handshake", () => {
  test("simple: S2 echoes C1 and S1 carries no version (no digest to check)", () => {
    const c1 = randomBytes(1536);
    c1.fill(0, 4, 8);
    const reply = handshakeReply(Buffer.concat([Buffer.from([3]), c1]), deterministic);
    assert.equal(reply.length, 1 + 1536 * 2);
    assert.equal(reply[0], 3);
    assert.deepEqual([...reply.subarray(5, 9)], [0, 0, 0, 0]);
    assert.ok(reply.subarray(1537).equals(c1));
  });

  test("complex: a C1 with a Flash Player digest gets FMS digests in S1 and S2", () => {
    const c1 = randomBytes(1536);
    c1.writeUInt32BE(0x09007c02, 4); // ffmpeg's version bytes
    const at = offset(c1);
    hmac(PLAYER_KEY, withoutDigest(c1, at)).copy(c1, at);
    const reply = handshakeReply(Buffer.concat([Buffer.from([3]), c1]), deterministic);
    const s1 = reply.subarray(1, 1537);
    const s2 = reply.subarray(1537);
    const s1At = offset(s1);
    assert.ok(
      s1
        .subarray(s1At, s1At + 32)
        .equals(hmac(SERVER_KEY.subarray(0, 36), withoutDigest(s1, s1At))),
    );
    const clientDigest = c1.subarray(at, at + 32);
    const s2Key = hmac(SERVER_KEY, clientDigest);
    assert.ok(s2.subarray(1504).equals(hmac(s2Key, s2.subarray(0, 1504))));
  });

  test("any version but 3 (RTMPE, garbage) is malformed RTMP: errcode 6", () => {
    assert.throws(
      () => handshakeReply(Buffer.concat([Buffer.from([6]), Buffer.alloc(1536)]), deterministic),
      (err: unknown) => err instanceof RtmpProtocolError && err.errcode === 6,
    );
  });
});

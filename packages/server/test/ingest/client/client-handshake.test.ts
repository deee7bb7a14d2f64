import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ClientHandshake, clientHello } from "../../../src/ingest/client/client-handshake.js";
import { handshakeReply } from "../../../src/ingest/rtmp/handshake.js";
import { RtmpProtocolError } from "../../../src/ingest/rtmp/protocol-error.js";

const fixed = (size: number) => Buffer.alloc(size, 0x5a);

describe("client handshake", () => {
  test("C0+C1 is version 3, a time and zero version bytes (the simple handshake)", () => {
    const hello = clientHello({ randomBytes: fixed, nowMs: 5_000 });
    assert.equal(hello.length, 1537);
    assert.equal(hello[0], 3);
    assert.equal(hello.readUInt32BE(1), 5);
    assert.equal(hello.readUInt32BE(5), 0);
  });

  test("against OnAir's own server side, in pieces: C2 echoes S1 and what follows is kept", () => {
    const hello = clientHello({ randomBytes: fixed, nowMs: 1_000 });
    const reply = handshakeReply(hello, { randomBytes: (n) => Buffer.alloc(n, 7), nowMs: 2_000 });
    const after = Buffer.from([1, 2, 3]);
    const all = Buffer.concat([reply, after]);
    const hs = new ClientHandshake();
    assert.deepEqual(hs.push(all.subarray(0, 1000)), { done: false });
    const step = hs.push(all.subarray(1000));
    assert.ok(step.done);
    assert.deepEqual(step.c2, reply.subarray(1, 1537));
    assert.deepEqual(step.rest, after);
  });

  test("a server answering another version is a protocol error", () => {
    const hs = new ClientHandshake();
    assert.throws(() => hs.push(Buffer.from([6, 0, 0])), RtmpProtocolError);
  });
});

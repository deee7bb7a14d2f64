import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  newRelayKey,
  signRelayCredential,
  verifyRelayCredential,
} from "../../src/playback/relay-credential.js";

const NOW = 1_800_000_000_000;

describe("relay credentials", () => {
  const key = newRelayKey();
  const credential = signRelayCredential({
    key,
    puller: "node b:42",
    stream: "live/cam1",
    nowMs: NOW,
  });

  test("open the stream they were signed for, naming the pulling node, for a minute", () => {
    assert.deepEqual(verifyRelayCredential({ key, credential, stream: "live/cam1", nowMs: NOW }), {
      ok: true,
      puller: "node b:42",
    });
    const late = verifyRelayCredential({
      key,
      credential,
      stream: "live/cam1",
      nowMs: NOW + 60_001,
    });
    assert.deepEqual(late, { ok: false, reason: "relay credential expired" });
  });

  test("another stream, another node's key, an edited puller or expiry: refused", () => {
    const refused = (input: { key?: string; credential?: string; stream?: string }) =>
      verifyRelayCredential({ key, credential, stream: "live/cam1", nowMs: NOW, ...input }).ok;
    assert.equal(refused({ stream: "live/cam2" }), false);
    assert.equal(refused({ key: newRelayKey() }), false);
    const [node, expiry, mac] = credential.split(".");
    const other = Buffer.from("node c").toString("base64url");
    assert.equal(refused({ credential: `${other}.${expiry}.${mac}` }), false);
    assert.equal(refused({ credential: `${node}.${Number(expiry) + 1}.${mac}` }), false);
    assert.equal(refused({ credential: `${node}.${NOW + 10 * 60_000}.${mac}` }), false);
  });

  test("property: any string is refused unless it is the signed one, and never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const verdict = verifyRelayCredential({
          key,
          credential: text,
          stream: "live/cam1",
          nowMs: NOW,
        });
        assert.equal(verdict.ok, text === credential);
      }),
    );
  });
});

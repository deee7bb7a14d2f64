import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The request header an internal pull carries its credential in. */
export const RELAY_HEADER = "x-onair-relay";

/** How long a credential is good for: a pull presents it once, at its start. */
const LIFETIME_MS = 60_000;

/** A node's relay key: new on every start, published in its `nodes` row. */
export function newRelayKey(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The credential of an internal pull (docs/playback.md, "Several nodes"): the pulling node's
 * id, an expiry and an HMAC-SHA256, under the holding node's relay key, of both and of the
 * stream, so it opens one stream, for a minute, on one node. The key is in the shared database
 * only: whoever can sign can already read and write everything OnAir keeps.
 */
export function signRelayCredential(input: {
  key: string;
  puller: string;
  stream: string;
  nowMs: number;
}): string {
  const expiry = input.nowMs + LIFETIME_MS;
  const node = Buffer.from(input.puller).toString("base64url");
  return `${node}.${expiry}.${mac(input.key, input.puller, input.stream, expiry)}`;
}

/** The pulling node's id when `credential` opens `stream` now, else why not. */
export function verifyRelayCredential(input: {
  key: string;
  credential: string;
  stream: string;
  nowMs: number;
}): { ok: true; puller: string } | { ok: false; reason: string } {
  const parts = input.credential.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed relay credential" };
  const [node = "", expiryText = "", signature = ""] = parts;
  const expiry = /^\d{1,15}$/.test(expiryText) ? Number(expiryText) : Number.NaN;
  if (!Number.isSafeInteger(expiry)) return { ok: false, reason: "malformed relay credential" };
  if (expiry < input.nowMs) return { ok: false, reason: "relay credential expired" };
  if (expiry > input.nowMs + 2 * LIFETIME_MS) {
    return { ok: false, reason: "relay credential expires too late" };
  }
  const puller = Buffer.from(node, "base64url").toString();
  const expected = Buffer.from(mac(input.key, puller, input.stream, expiry));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "relay credential does not match" };
  }
  return { ok: true, puller };
}

function mac(key: string, puller: string, stream: string, expiry: number): string {
  return createHmac("sha256", key)
    .update(`onair-relay\n${puller}\n${stream}\n${expiry}`)
    .digest("hex");
}

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What an HLS session token carries: the session, the play domain it counts under, its expiry. */
export interface HlsTokenClaims {
  session: string;
  domain: string;
  /** Epoch ms. */
  expiresAtMs: number;
}

/** A node's own HLS token secret when `playback.hls.tokenSecret` is unset: new at every start. */
export function newHlsSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** A new random session id (URL-safe). */
export function newHlsSession(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * The token of an HLS session (docs/hls.md, "Tokens"): `session.domain.expiry.mac`, the MAC an
 * HMAC-SHA256 under the node's HLS secret of all three and of `AppName/StreamName`, so a token
 * opens one stream's media playlist, init segment, segments and parts, and nothing else. The
 * multivariant playlist, which checks play auth (Tencent 267/31560), hands it out.
 */
export function signHlsToken(input: { secret: string; stream: string } & HlsTokenClaims): string {
  const domain = Buffer.from(input.domain).toString("base64url");
  const expiry = Math.floor(input.expiresAtMs / 1000).toString(16);
  return `${input.session}.${domain}.${expiry}.${mac(input.secret, input.stream, input.session, input.domain, expiry)}`;
}

/**
 * The claims of `token` when its MAC matches for `stream`, else why not. The expiry is not
 * judged here: a session still active outlives it (the caller decides).
 */
export function readHlsToken(input: {
  secret: string;
  stream: string;
  token: string;
}): { ok: true; claims: HlsTokenClaims } | { ok: false; reason: string } {
  const parts = input.token.split(".");
  if (parts.length !== 4) return { ok: false, reason: "malformed HLS token" };
  const [session = "", domainText = "", expiry = "", signature = ""] = parts;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(session) || !/^[0-9a-f]{1,12}$/.test(expiry)) {
    return { ok: false, reason: "malformed HLS token" };
  }
  const domain = Buffer.from(domainText, "base64url").toString();
  // One spelling per token: base64url decoding skips stray characters and padding bits.
  if (Buffer.from(domain).toString("base64url") !== domainText) {
    return { ok: false, reason: "malformed HLS token" };
  }
  const expected = Buffer.from(mac(input.secret, input.stream, session, domain, expiry));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "HLS token does not match" };
  }
  return { ok: true, claims: { session, domain, expiresAtMs: Number.parseInt(expiry, 16) * 1000 } };
}

function mac(
  secret: string,
  stream: string,
  session: string,
  domain: string,
  expiry: string,
): string {
  return createHmac("sha256", secret)
    .update(`onair-hls\n${stream}\n${session}\n${domain}\n${expiry}`)
    .digest("base64url");
}

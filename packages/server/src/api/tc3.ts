import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { OnAirError } from "../errors.js";

/**
 * TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0 (Tencent 267/30852), as pure
 * functions: the signing steps, and `verifyTc3` over one request's method, headers and raw body.
 * No I/O, no clock of its own: the caller passes `now` and a secret-key lookup.
 */

export const TC3_ALGORITHM = "TC3-HMAC-SHA256";

/** Tencent refuses a request whose X-TC-Timestamp is more than 5 minutes off the server's clock. */
export const TC3_MAX_SKEW_SECONDS = 300;

/** Lowercase hex SHA-256. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** The UTC date `YYYY-MM-DD` of a Unix timestamp in seconds: the credential scope's date. */
export function utcDate(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

/**
 * The canonical request: method, URI `/`, query, `name:value\n` per signed header, a blank
 * separator line, the signed header list, and the payload hash.
 *
 * @example
 * canonicalRequest({ method: "POST", query: "", headers: [["content-type", "application/json"],
 *   ["host", "live.tencentcloudapi.com"]], payloadHash: sha256Hex(body) });
 */
export function canonicalRequest(input: {
  method: string;
  query: string;
  /** Lower-case names with their canonical (trimmed, lower-cased) values, in signing order. */
  headers: ReadonlyArray<readonly [string, string]>;
  payloadHash: string;
}): string {
  const canonicalHeaders = input.headers.map(([name, value]) => `${name}:${value}\n`).join("");
  const signedHeaders = input.headers.map(([name]) => name).join(";");
  return [
    input.method.toUpperCase(),
    "/",
    input.query,
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join("\n");
}

/** `TC3-HMAC-SHA256\n<timestamp>\n<date>/<service>/tc3_request\n<sha256(canonical request)>`. */
export function stringToSign(input: {
  timestamp: number;
  date: string;
  service: string;
  canonicalRequest: string;
}): string {
  return [
    TC3_ALGORITHM,
    String(input.timestamp),
    `${input.date}/${input.service}/tc3_request`,
    sha256Hex(input.canonicalRequest),
  ].join("\n");
}

/** Hex signature: the key chain `TC3`+SecretKey → date → service → `tc3_request`, then the string. */
export function tc3Signature(input: {
  secretKey: string;
  date: string;
  service: string;
  stringToSign: string;
}): string {
  const secretDate = hmac(`TC3${input.secretKey}`, input.date);
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, "tc3_request");
  return createHmac("sha256", secretSigning).update(input.stringToSign, "utf8").digest("hex");
}

/** The parts of an `Authorization: TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export interface Tc3Authorization {
  secretId: string;
  date: string;
  /** From the credential scope; the Node SDK puts `127` or `localhost:8080` here, so never assume `live`. */
  service: string;
  signedHeaders: string[];
  signature: string;
}

function malformed(message: string): OnAirError {
  return new OnAirError("ONAIR_ERR_AUTH_MALFORMED", message);
}

/** Parses a TC3 Authorization header; throws ONAIR_ERR_AUTH_MALFORMED naming what is wrong. */
export function parseTc3Authorization(header: string): Tc3Authorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(" ");
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== TC3_ALGORITHM) {
    throw malformed(
      `Authorization must use ${TC3_ALGORITHM} (API 3.0 signature v3); got "${algorithm.slice(0, 40)}"`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    throw malformed("Authorization must carry Credential, SignedHeaders and Signature");
  }
  // Credential=ID/DATE/SERVICE/tc3_request. The service is everything between the date and the
  // terminator: it may hold a colon (`localhost:8080`), so the scope is cut only on slashes.
  const firstSlash = credential.indexOf("/");
  const secondSlash = credential.indexOf("/", firstSlash + 1);
  const lastSlash = credential.lastIndexOf("/");
  if (
    firstSlash <= 0 ||
    secondSlash === -1 ||
    lastSlash <= secondSlash + 1 ||
    credential.slice(lastSlash + 1) !== "tc3_request"
  ) {
    throw malformed("Credential must be SecretId/YYYY-MM-DD/service/tc3_request");
  }
  const date = credential.slice(firstSlash + 1, secondSlash);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw malformed("the Credential date must be YYYY-MM-DD");
  }
  if (!/^[0-9a-f]{64}$/i.test(signature)) {
    throw malformed("Signature must be 64 hex characters");
  }
  const names = signedHeaders.split(";").map((h) => h.trim().toLowerCase());
  if (names.some((h) => h === "")) throw malformed("SignedHeaders has an empty name");
  return {
    secretId: credential.slice(0, firstSlash),
    date,
    service: credential.slice(secondSlash + 1, lastSlash),
    signedHeaders: names,
    signature: signature.toLowerCase(),
  };
}

/** Header values as node:http gives them; names may be in any case. */
export type Tc3Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** One request to verify. */
export interface Tc3Request {
  method: string;
  /** The query string without `?` ("" for the API's `POST /`). */
  query?: string;
  headers: Tc3Headers;
  /** The raw body bytes, exactly as received. */
  body: Uint8Array;
}

/** Who signed a verified request. */
export interface Tc3Identity {
  secretId: string;
  service: string;
  timestamp: number;
}

/** `127.0.0.1:8080` → `127.0.0.1`, `[::1]:8080` → `[::1]`; a host without a port is returned as is. */
function hostWithoutPort(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end === -1 ? host : host.slice(0, end + 1);
  }
  return host.replace(/:\d*$/, "");
}

/** The header half of a TC3 check, done before the body is read (see `precheckTc3`). */
export interface Tc3Prechecked {
  auth: Tc3Authorization;
  timestamp: number;
  secretKey: string;
  /** Lower-case names → values of the request's headers. */
  headers: ReadonlyMap<string, string>;
  /** True when the signer put `x-tc-action` in SignedHeaders, so the action is covered. */
  actionSigned: boolean;
}

/** Options of `precheckTc3` and `verifyTc3`. */
export interface Tc3VerifyOptions {
  lookupSecretKey: (secretId: string) => string | undefined;
  now: Date;
  maxSkewSeconds?: number;
  /**
   * Headers that must be in SignedHeaders besides content-type and host (Tencent's minimum).
   * `["x-tc-action"]` refuses signers that leave the action unsigned, as tencentcloud-sdk-nodejs
   * 4.x does.
   */
  requireSigned?: readonly string[];
}

/**
 * Everything about a TC3 request that can be checked without its body: the Authorization
 * header's shape, X-TC-Timestamp and its skew, the SecretId, the credential date, and the
 * SignedHeaders list. The router calls this before buffering a body, so an unsigned or stale
 * request costs no memory. Throws the same errors as `verifyTc3`.
 */
export function precheckTc3(headersIn: Tc3Headers, options: Tc3VerifyOptions): Tc3Prechecked {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(headersIn)) {
    if (value === undefined) continue;
    headers.set(name.toLowerCase(), typeof value === "string" ? value : value.join(","));
  }

  const authorization = headers.get("authorization");
  if (authorization === undefined || authorization.trim() === "") {
    throw new OnAirError("ONAIR_ERR_AUTH_MISSING", "the Authorization header is missing");
  }
  const auth = parseTc3Authorization(authorization);

  const timestampText = headers.get("x-tc-timestamp")?.trim();
  if (timestampText === undefined || timestampText === "") {
    throw new OnAirError("ONAIR_ERR_MISSING_PARAMETER", "the X-TC-Timestamp header is missing");
  }
  if (!/^\d{1,12}$/.test(timestampText)) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER",
      "X-TC-Timestamp must be a Unix timestamp in seconds",
    );
  }
  const timestamp = Number(timestampText);
  const skew = Math.abs(options.now.getTime() / 1000 - timestamp);
  const maxSkew = options.maxSkewSeconds ?? TC3_MAX_SKEW_SECONDS;
  if (skew > maxSkew) {
    throw new OnAirError(
      "ONAIR_ERR_AUTH_EXPIRED",
      `X-TC-Timestamp ${timestamp} is more than ${maxSkew} seconds from the server time; check the client clock`,
    );
  }

  const secretKey = options.lookupSecretKey(auth.secretId);
  if (secretKey === undefined) {
    throw new OnAirError("ONAIR_ERR_AUTH_SECRET_ID", "the SecretId is not known to this server");
  }

  // The date must be the UTC date of the timestamp (local dates would break at midnight).
  const expectedDate = utcDate(timestamp);
  if (auth.date !== expectedDate) {
    throw new OnAirError(
      "ONAIR_ERR_AUTH_SIGNATURE",
      `the Credential date ${auth.date} is not the UTC date of X-TC-Timestamp (${expectedDate})`,
    );
  }

  // Tencent's minimum is content-type and host; no SDK signs a header twice.
  for (const required of ["content-type", "host", ...(options.requireSigned ?? [])]) {
    if (!auth.signedHeaders.includes(required)) {
      throw malformed(`SignedHeaders must include ${required}`);
    }
  }
  if (new Set(auth.signedHeaders).size !== auth.signedHeaders.length) {
    throw malformed("SignedHeaders names a header twice");
  }
  for (const name of auth.signedHeaders) {
    if (!headers.has(name)) throw malformed(`signed header ${name} is not in the request`);
  }
  return {
    auth,
    timestamp,
    secretKey,
    headers,
    actionSigned: auth.signedHeaders.includes("x-tc-action"),
  };
}

/**
 * The body half: rebuilds the canonical request from the signer's SignedHeaders list and
 * compares the signature. Signers differ in two ways that do not weaken the signature, so each
 * variant is tried: the `host` with and without its port (the Node SDK signs the hostname, the
 * Go SDK the endpoint with port), and values lower-cased (as the spec says) or only trimmed (as
 * some SDKs send them). Signatures are compared in constant time.
 */
export function verifyTc3Signature(
  pre: Tc3Prechecked,
  request: { method: string; query?: string; body: Uint8Array },
): Tc3Identity {
  const { auth, headers, timestamp, secretKey } = pre;
  const raw: [string, string][] = auth.signedHeaders.map((name) => [
    name,
    (headers.get(name) ?? "").trim(),
  ]);

  const hostVariants = new Set<string>();
  const host = headers.get("host")?.trim() ?? "";
  hostVariants.add(host);
  hostVariants.add(hostWithoutPort(host));

  const payloadHash = sha256Hex(request.body);
  const provided = Buffer.from(auth.signature, "hex");
  let matched = false;
  const tried = new Set<string>();
  for (const hostValue of hostVariants) {
    for (const lowerCase of [true, false]) {
      const signed = raw.map(([name, value]): [string, string] => {
        const v = name === "host" ? hostValue : value;
        return [name, lowerCase ? v.toLowerCase() : v];
      });
      const canonical = canonicalRequest({
        method: request.method,
        query: request.query ?? "",
        headers: signed,
        payloadHash,
      });
      if (tried.has(canonical)) continue;
      tried.add(canonical);
      const expected = tc3Signature({
        secretKey,
        date: auth.date,
        service: auth.service,
        stringToSign: stringToSign({
          timestamp,
          date: auth.date,
          service: auth.service,
          canonicalRequest: canonical,
        }),
      });
      // Every variant is compared (no early exit), each in constant time.
      if (timingSafeEqual(Buffer.from(expected, "hex"), provided)) matched = true;
    }
  }
  if (!matched) {
    throw new OnAirError(
      "ONAIR_ERR_AUTH_SIGNATURE",
      "the request signature does not match; check the SecretKey and the signing steps",
    );
  }
  return { secretId: auth.secretId, service: auth.service, timestamp };
}

/**
 * Verifies a TC3-HMAC-SHA256 request and returns who signed it, or throws an `OnAirError`
 * whose `tencentCode` is the one Tencent answers with:
 * AuthFailure.InvalidAuthorization (missing or malformed header), MissingParameter /
 * InvalidParameter (X-TC-Timestamp), AuthFailure.SignatureExpire (more than 5 minutes off),
 * AuthFailure.SecretIdNotFound, AuthFailure.SignatureFailure. It is `precheckTc3` followed by
 * `verifyTc3Signature`. A valid signature can still be a replay: see `createReplayGuard`.
 *
 * @example
 * const who = verifyTc3(
 *   { method: "POST", headers: req.headers, body },
 *   { lookupSecretKey: (id) => (id === creds.secretId ? creds.secretKey : undefined), now: new Date() },
 * );
 */
export function verifyTc3(request: Tc3Request, options: Tc3VerifyOptions): Tc3Identity {
  return verifyTc3Signature(precheckTc3(request.headers, options), request);
}

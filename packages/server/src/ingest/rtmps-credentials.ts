import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generate } from "selfsigned";
import { OnAirError } from "../errors.js";

/** The PEM certificate chain and key the RTMPS listener presents, and what to log of them. */
export interface RtmpsCredentials {
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the leaf certificate (what a client pins or compares). */
  fingerprint: string;
  /** Where they came from: the configured files, or the self-signed pair in the data directory. */
  source: string;
}

/** A self-signed certificate is valid this long; a new one is made when it has expired. */
const SELF_SIGNED_DAYS = 825;

/**
 * Reads `ingest.rtmps.cert`/`key`, or (with `selfSigned` and no files named) the self-signed
 * pair kept in `<dataDir>/rtmps/`, generating it on first use: a P-256 certificate for
 * `localhost`, 127.0.0.1 and ::1, for local testing only (docs/relay.md). Throws ONAIR_ERR_CONFIG
 * with what is wrong: a file missing or unreadable, a key that does not match the certificate.
 */
export async function loadRtmpsCredentials(options: {
  cert?: string | undefined;
  key?: string | undefined;
  selfSigned: boolean;
  dataDir: string;
  now: Date;
}): Promise<RtmpsCredentials> {
  if (options.cert !== undefined || options.key !== undefined) {
    if (options.cert === undefined || options.key === undefined) {
      throw new OnAirError(
        "ONAIR_ERR_CONFIG",
        "ingest.rtmps: cert and key go together (both PEM files)",
      );
    }
    const [cert, key] = await Promise.all([
      readPem(options.cert, "ingest.rtmps.cert"),
      readPem(options.key, "ingest.rtmps.key"),
    ]);
    return { cert, key, fingerprint: fingerprintOf(cert, key), source: options.cert };
  }
  if (!options.selfSigned) {
    throw new OnAirError(
      "ONAIR_ERR_CONFIG",
      "ingest.rtmps is enabled without a certificate: set ingest.rtmps.cert and ingest.rtmps.key, or ingest.rtmps.selfSigned for local use",
    );
  }
  const dir = join(options.dataDir, "rtmps");
  const certPath = join(dir, "self-signed-cert.pem");
  const keyPath = join(dir, "self-signed-key.pem");
  const existing = await readPair(certPath, keyPath);
  if (existing && new Date(new X509Certificate(existing.cert).validTo) > options.now) {
    return { ...existing, fingerprint: fingerprintOf(existing.cert, existing.key), source: dir };
  }
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    notBeforeDate: options.now,
    notAfterDate: new Date(options.now.getTime() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert, { mode: 0o644 });
  return {
    cert: pems.cert,
    key: pems.private,
    fingerprint: fingerprintOf(pems.cert, pems.private),
    source: dir,
  };
}

async function readPem(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new OnAirError(
      "ONAIR_ERR_CONFIG",
      `${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      { cause: err },
    );
  }
}

async function readPair(
  certPath: string,
  keyPath: string,
): Promise<{ cert: string; key: string } | null> {
  try {
    const [cert, key] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    return { cert, key };
  } catch {
    return null;
  }
}

function fingerprintOf(cert: string, key: string): string {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new OnAirError("ONAIR_ERR_CONFIG", "ingest.rtmps.cert is not a PEM certificate", {
      cause: err,
    });
  }
  let matches = false;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw new OnAirError("ONAIR_ERR_CONFIG", "ingest.rtmps.key is not a PEM private key", {
      cause: err,
    });
  }
  if (!matches) {
    throw new OnAirError(
      "ONAIR_ERR_CONFIG",
      "ingest.rtmps.key does not belong to ingest.rtmps.cert",
    );
  }
  return x509.fingerprint256;
}

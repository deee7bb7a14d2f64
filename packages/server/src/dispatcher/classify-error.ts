import type { AttemptErrorCode } from "../domain/types.js";
import { SsrfBlockedError } from "./ssrf-guard.js";

/**
 * The certificate verification codes Node puts on a TLS error, as listed in the Node.js docs
 * ("tls: X509 certificate error codes"; OpenSSL's X509_V_ERR_* names without the prefix).
 */
const X509_VERIFY_CODES: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "OUT_OF_MEM",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
]);

/** A certificate check that failed, Node's own TLS errors (ERR_TLS_*), or OpenSSL's (ERR_SSL_*). */
function isTlsCode(code: string): boolean {
  return X509_VERIFY_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_");
}

/** Maps what the HTTP client threw to a typed attempt error code. */
export function classifyError(err: unknown): AttemptErrorCode {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof SsrfBlockedError) return "ssrf_blocked";
    const { code: rawCode, name } = current as { code?: unknown; name?: unknown };
    const code = typeof rawCode === "string" ? rawCode : "";
    if (
      name === "TimeoutError" ||
      name === "AbortError" ||
      code === "UND_ERR_HEADERS_TIMEOUT" ||
      code === "UND_ERR_BODY_TIMEOUT" ||
      code === "UND_ERR_CONNECT_TIMEOUT"
    ) {
      return "timeout";
    }
    if (code === "ECONNREFUSED") return "connection_refused";
    if (
      code === "ECONNRESET" ||
      code === "EPIPE" ||
      code === "UND_ERR_SOCKET" ||
      code === "UND_ERR_CLOSED"
    ) {
      return "connection_reset";
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
    if (isTlsCode(code)) return "tls";
    if (code === "ERR_INVALID_URL") return "invalid_url";
    current = (current as { cause?: unknown }).cause;
  }
  return "network";
}

import type { AttemptErrorCode } from "../domain/types.js";
import { SsrfBlockedError } from "./ssrf-guard.js";

/** Maps what the HTTP client threw to a typed attempt error code. */
export function classifyError(err: unknown): AttemptErrorCode {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof SsrfBlockedError) return "ssrf_blocked";
    const { code, name } = current as { code?: string; name?: string };
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
    if (
      code?.startsWith("ERR_TLS") ||
      code?.includes("CERT") ||
      code === "ERR_SSL_WRONG_VERSION_NUMBER"
    )
      return "tls";
    if (code === "ERR_INVALID_URL") return "invalid_url";
    current = (current as { cause?: unknown }).cause;
  }
  return "network";
}

import { createCallbackRequest } from "@onair/callbacks";
import { Agent, request } from "undici";
import { addressRefusal } from "../domain/address-policy.js";
import { parseRetryAfter } from "../domain/retry-policy.js";
import type { AttemptErrorCode } from "../domain/types.js";
import { classifyError } from "./classify-error.js";
import { guardedLookup, SsrfBlockedError } from "./ssrf-guard.js";

/** The result of one HTTP attempt. */
export interface AttemptOutcome {
  statusCode: number | null;
  errorCode: AttemptErrorCode | null;
  errorMessage: string | null;
  responseSnippet: string | null;
  retryAfterMs: number | undefined;
  /** The exact bytes POSTed ("" when nothing was sent). */
  requestBody: string;
}

/** What one attempt sends. */
export interface OutgoingCallback {
  url: string;
  /** The body without `t`/`sign`. */
  body: Readonly<Record<string, unknown>>;
  keys: readonly string[];
  webhookId: string;
  timeoutMs: number;
  now: Date;
}

/**
 * Signs and POSTs one callback behind the SSRF guard: what a delivery attempt and the "send a test
 * callback" action (`SendLiveCallbackTest`) share, so a test goes out exactly as a real one does.
 * Success is HTTP 200 exactly (Tencent: "应答 HTTP STATUS 不为200" is a failure).
 */
export interface CallbackSender {
  send(outgoing: OutgoingCallback): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

export function createCallbackSender(options: {
  callbackAllowPrivate: boolean;
  nodeId: string;
  /** In-flight attempts per origin (the undici pool's connections). */
  connectionsPerOrigin: number;
  /** Bytes of a response body kept. */
  responseSnippetBytes: number;
  lookup?: Parameters<typeof guardedLookup>[1];
}): CallbackSender {
  const agent = new Agent({
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: 30_000,
    connect: { lookup: guardedLookup(options.callbackAllowPrivate, options.lookup) },
  });
  return {
    async send(outgoing) {
      const signed = createCallbackRequest({
        body: outgoing.body,
        keys: outgoing.keys,
        webhookId: outgoing.webhookId,
        nowMs: outgoing.now.getTime(),
      });
      const base = { requestBody: signed.body, retryAfterMs: undefined };
      let url: URL;
      try {
        url = new URL(outgoing.url);
      } catch {
        return {
          ...base,
          statusCode: null,
          errorCode: "invalid_url",
          errorMessage: "invalid URL",
          responseSnippet: null,
        };
      }
      // IP literals skip name resolution, so the guard checks them here.
      const refused = addressRefusal(
        url.hostname.replace(/^\[|\]$/g, ""),
        options.callbackAllowPrivate,
      );
      if (refused)
        return {
          ...base,
          statusCode: null,
          errorCode: "ssrf_blocked",
          errorMessage: refused,
          responseSnippet: null,
        };
      try {
        const response = await request(url, {
          method: "POST",
          headers: {
            ...signed.headers,
            "user-agent": `OnAir-Callback/0.1 (node ${options.nodeId})`,
          },
          body: signed.body,
          dispatcher: agent,
          headersTimeout: outgoing.timeoutMs,
          bodyTimeout: outgoing.timeoutMs,
          signal: AbortSignal.timeout(outgoing.timeoutMs),
        });
        const snippet = await readSnippet(response.body, options.responseSnippetBytes);
        const ok = response.statusCode === 200;
        const retryAfter = response.headers["retry-after"];
        return {
          ...base,
          statusCode: response.statusCode,
          errorCode: ok ? null : "http_status",
          errorMessage: ok ? null : `HTTP ${response.statusCode}`,
          responseSnippet: snippet,
          retryAfterMs:
            response.statusCode === 429 || response.statusCode === 503
              ? parseRetryAfter(
                  Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
                  outgoing.now,
                )
              : undefined,
        };
      } catch (err) {
        const message =
          err instanceof SsrfBlockedError
            ? err.message
            : err instanceof Error
              ? err.message
              : String(err);
        return {
          ...base,
          statusCode: null,
          errorCode: classifyError(err),
          errorMessage: message,
          responseSnippet: null,
        };
      }
    },
    close: () => agent.close(),
  };
}

/** The first `limit` bytes of a response body; the rest is read and dropped. */
async function readSnippet(body: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < limit) chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}

import { type Dispatcher, request } from "undici";

/** The outcome of one POST: the reply, or a one-line reason it never came. */
export type PostResult =
  | {
      ok: true;
      statusCode: number;
      contentType: string | undefined;
      /** The reply body, up to `maxReplyBytes`. */
      body: Buffer;
      durationMs: number;
    }
  | { ok: false; timedOut: boolean; reason: string; durationMs: number };

/**
 * POSTs `body` to `url` with a whole-exchange timeout. Never throws for network failures: the
 * developer tools print them as results (a refused connection is a failed attempt, not a crash).
 */
export async function postBody(options: {
  url: URL;
  body: string | Buffer;
  headers: Record<string, string | string[]>;
  timeoutMs: number;
  dispatcher: Dispatcher;
  maxReplyBytes?: number;
}): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const max = options.maxReplyBytes ?? 64 * 1024;
  try {
    const reply = await request(options.url, {
      method: "POST",
      headers: options.headers,
      body: options.body,
      dispatcher: options.dispatcher,
      signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of reply.body) {
      const bytes = chunk as Buffer;
      // Keep reading past the limit so the connection stays reusable, but keep only the start.
      if (size < max) chunks.push(bytes.subarray(0, max - size));
      size += bytes.length;
    }
    const contentType = reply.headers["content-type"];
    return {
      ok: true,
      statusCode: reply.statusCode,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      body: Buffer.concat(chunks),
      durationMs: elapsed(),
    };
  } catch (err) {
    if (signal.aborted)
      return {
        ok: false,
        timedOut: true,
        reason: `no reply within ${options.timeoutMs} ms`,
        durationMs: elapsed(),
      };
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      timedOut: false,
      reason: typeof code === "string" ? `${message} (${code})` : message,
      durationMs: elapsed(),
    };
  }
}

import { request } from "undici";
import type { PublishRequest } from "../ingest/session/publish-host.js";

/**
 * The optional third-party publish authorization (like SRS `on_publish`): a JSON POST describing
 * the publish that must answer HTTP 200 within the timeout; anything else refuses it, reported
 * as Tencent errcode 19 (third-party authentication failed) in the log and the refusal.
 */
export async function askPublishHook(options: {
  url: string;
  timeoutMs: number;
  request: PublishRequest;
  sequence: string;
}): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { request: r } = options;
  try {
    const response = await request(options.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        action: "publish",
        domain: r.domain,
        app: r.appName,
        stream: r.streamName,
        param: r.streamParam,
        tc_url: r.tcUrl,
        client_ip: r.clientIp,
        node: r.serverIp,
        sequence: options.sequence,
      }),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body.dump();
    return response.statusCode === 200
      ? { ok: true }
      : { ok: false, reason: `publish hook answered HTTP ${response.statusCode}` };
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    return {
      ok: false,
      reason:
        name === "TimeoutError" || name === "AbortError"
          ? `publish hook did not answer within ${options.timeoutMs} ms`
          : `publish hook unreachable (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import {
  type CallbackEvent,
  CallbackVerificationError,
  DEFAULT_MAX_BODY_BYTES,
  readWebhookId,
  verify,
} from "@onair/callbacks";
import type { Dispatcher } from "undici";
import { OnAirError } from "../errors.js";
import { sendError } from "../http/error-reply.js";
import { type PostResult, postBody } from "./http-post.js";

/** What `onair listen` saw of one POST and what it answered. */
export interface ListenReport {
  receivedAt: Date;
  path: string;
  body: Buffer;
  headers: IncomingHttpHeaders;
  verdict:
    | { verified: true; event: CallbackEvent }
    | { verified: false; error: CallbackVerificationError };
  webhookId: string | undefined;
  /** How many times this `webhook-id` has arrived so far (retries and duplicates share one). */
  seen: number;
  /** The status answered to the sender. */
  answered: number;
  /** The developer's app's reply, with `--forward-to`. */
  forward: PostResult | undefined;
}

/** Headers that describe one hop, not the callback: never forwarded. */
const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "upgrade",
  "te",
  "trailer",
  "proxy-authorization",
  "proxy-connection",
  "expect",
]);

/**
 * The sender's timeout is 20 s (Tencent 267/32744); give up on the app just before it, so the
 * sender hears a 504 from us rather than timing out itself.
 */
const FORWARD_TIMEOUT_MS = 19_000;

/** Remembered webhook-ids, bounded so a long session cannot grow without limit. */
const MAX_REMEMBERED_IDS = 10_000;

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = chunk as Buffer;
    // Past the limit keep draining but stop storing: verify() reports the size.
    if (size <= limit) chunks.push(bytes);
    size += bytes.length;
  }
  return Buffer.concat(chunks);
}

function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * The local receiver behind `onair listen`: verifies every POST with @onair/callbacks, answers
 * 200 `{"code":0}` or the verifier's 4xx, or relays to `forwardTo` and answers with the app's
 * status. Rejected callbacks are forwarded too, so the app's own verification can be exercised.
 */
export function createListenServer(options: {
  keys: readonly string[];
  forwardTo: URL | undefined;
  dispatcher: Dispatcher;
  onReport: (report: ListenReport) => void;
}): Server {
  const seenIds = new Map<string, number>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      req.resume();
      const known = req.method === "GET" || req.method === "HEAD";
      res.writeHead(known ? 200 : 405, { "content-type": "text/plain; charset=utf-8" });
      res.end(known ? "onair listen: POST callbacks here\n" : "POST only\n");
      return;
    }
    const receivedAt = new Date();
    const body = await readBody(req, DEFAULT_MAX_BODY_BYTES);
    let verdict: ListenReport["verdict"];
    try {
      verdict = { verified: true, event: verify(body, req.headers, { key: options.keys }) };
    } catch (err) {
      if (!(err instanceof CallbackVerificationError)) throw err;
      verdict = { verified: false, error: err };
    }
    const webhookId = readWebhookId(req.headers);
    let seen = 0;
    if (webhookId !== undefined) {
      if (seenIds.size >= MAX_REMEMBERED_IDS) seenIds.clear();
      seen = (seenIds.get(webhookId) ?? 0) + 1;
      seenIds.set(webhookId, seen);
    }

    let status: number;
    let reply: string | Buffer;
    let contentType = "application/json";
    let forward: PostResult | undefined;
    const tooLarge =
      !verdict.verified && verdict.error.code === "ONAIR_ERR_CALLBACK_BODY_TOO_LARGE";
    if (options.forwardTo && !tooLarge) {
      forward = await postBody({
        url: options.forwardTo,
        body,
        headers: forwardHeaders(req.headers),
        timeoutMs: FORWARD_TIMEOUT_MS,
        dispatcher: options.dispatcher,
        maxReplyBytes: DEFAULT_MAX_BODY_BYTES,
      });
      if (forward.ok) {
        status = forward.statusCode;
        reply = forward.body;
        contentType = forward.contentType ?? "application/octet-stream";
      } else {
        status = forward.timedOut ? 504 : 502;
        const failed = new OnAirError(
          "ONAIR_ERR_FORWARD_FAILED",
          `forwarding failed: ${forward.reason}`,
        );
        reply = JSON.stringify(failed.toJSON());
      }
    } else if (verdict.verified) {
      status = 200;
      reply = JSON.stringify({ code: 0 });
    } else {
      status = verdict.error.status;
      reply = JSON.stringify(verdict.error.toJSON());
    }
    res.writeHead(status, { "content-type": contentType });
    res.end(reply);
    options.onReport({
      receivedAt,
      path: req.url ?? "/",
      body,
      headers: req.headers,
      verdict,
      webhookId,
      seen,
      answered: status,
      forward,
    });
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug here must not take the listener down: answer 500 and keep listening.
      process.stderr.write(`onair listen: ${err instanceof Error ? err.message : String(err)}\n`);
      if (res.headersSent) res.end();
      else sendError(res, err);
    });
  });
}

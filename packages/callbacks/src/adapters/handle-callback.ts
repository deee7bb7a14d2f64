import type { IncomingMessage } from "node:http";
import { CALLBACK_ERRORS, CallbackVerificationError, errorBody } from "../errors.js";
import type { CallbackEvent } from "../protocol/events.js";
import type { HeadersLike } from "../receiver/headers.js";
import {
  DEFAULT_MAX_BODY_BYTES,
  readWebhookId,
  type VerifyOptions,
  verify,
} from "../receiver/verify.js";

/** What the handler gets besides the event. */
export interface CallbackContext {
  /** OnAir's `webhook-id` (stable across retries), when the sender set one. */
  webhookId: string | undefined;
  headers: HeadersLike;
}

/** The user's code: called once per verified callback. Throw to make the sender retry. */
export type CallbackHandler = (event: CallbackEvent, context: CallbackContext) => unknown;

/** Options shared by every adapter. */
export interface CallbackAdapterOptions extends VerifyOptions {
  onEvent: CallbackHandler;
  /**
   * Reply when `onEvent` throws. Default 500, so the sender retries; return 200 to drop the
   * callback instead. The error is passed so it can be logged.
   */
  onHandlerError?: (error: unknown, event: CallbackEvent) => number;
}

/** The reply an adapter sends. */
export interface CallbackReply {
  status: number;
  body: Record<string, unknown>;
}

const OK: CallbackReply = { status: 200, body: { code: 0 } };
const HANDLER_FAILED = errorBody(
  "ONAIR_ERR_CALLBACK_HANDLER_FAILED",
  CALLBACK_ERRORS.ONAIR_ERR_CALLBACK_HANDLER_FAILED.description,
);

/**
 * The framework-free heart of every adapter: verify, call the handler once, map the outcome to a
 * reply. Never 200 when verification failed; 500 by default when the handler threw.
 */
export async function handleCallback(
  body: string | Uint8Array | BodyTooLarge,
  headers: HeadersLike,
  options: CallbackAdapterOptions,
): Promise<CallbackReply> {
  let event: CallbackEvent;
  try {
    if (body instanceof BodyTooLarge) {
      throw new CallbackVerificationError("ONAIR_ERR_CALLBACK_BODY_TOO_LARGE", body.message);
    }
    event = verify(body, headers, options);
  } catch (err) {
    if (err instanceof CallbackVerificationError) return { status: err.status, body: err.toJSON() };
    throw err;
  }
  try {
    await options.onEvent(event, { webhookId: readWebhookId(headers), headers });
    return OK;
  } catch (err) {
    const status = options.onHandlerError?.(err, event) ?? 500;
    return status === 200 ? OK : { status, body: { ...HANDLER_FAILED } };
  }
}

/** Marks a body that crossed the size limit while being read. */
export class BodyTooLarge {
  constructor(readonly message: string) {}
}

/**
 * Reads a node request stream up to `limit` bytes. Past the limit it stops buffering, drains the
 * rest and returns `BodyTooLarge`, so an oversized body never sits in memory whole.
 */
export async function readNodeBody(
  req: IncomingMessage,
  limit: number = DEFAULT_MAX_BODY_BYTES,
): Promise<Buffer | BodyTooLarge> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return new BodyTooLarge(`${declared} bytes, limit ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      return new BodyTooLarge(`over ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Reads a Fetch API request body up to `limit` bytes. */
export async function readFetchBody(
  request: Request,
  limit: number = DEFAULT_MAX_BODY_BYTES,
): Promise<Uint8Array | BodyTooLarge> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel();
    return new BodyTooLarge(`${declared} bytes, limit ${limit}`);
  }
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return new BodyTooLarge(`over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** A Fetch API `Response` for a reply. */
export function toResponse(reply: CallbackReply): Response {
  return new Response(JSON.stringify(reply.body), {
    status: reply.status,
    headers: { "content-type": "application/json" },
  });
}

/** A Fetch API handler `(Request) => Promise<Response>`: Next.js route handlers, Hono, Workers. */
export function createFetchHandler(
  options: CallbackAdapterOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await readFetchBody(request, options.maxBodyBytes);
    return toResponse(await handleCallback(body, request.headers, options));
  };
}

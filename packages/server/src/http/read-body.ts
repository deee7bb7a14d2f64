import type { IncomingMessage, ServerResponse } from "node:http";
import { OnAirError } from "../errors.js";

/**
 * Bytes buffered at once for bodies that are not authenticated yet (an API body must be read
 * whole before its TC3 signature can be checked). Each request may buffer `freeBytesPerRequest`
 * without asking, so small legitimate requests always get through a flood; bytes beyond that
 * come out of the shared `maxBytes`. With `http.maxConnections` this bounds the memory an
 * unauthenticated flood can pin: maxConnections × freeBytesPerRequest + maxBytes.
 */
export interface BodyBudget {
  readonly maxBytes: number;
  readonly freeBytesPerRequest: number;
  /** Bytes of unauthenticated bodies buffered right now (all of them, free allowance included). */
  inUse(): number;
  /** Requests refused because the budget was spent. */
  refused(): number;
}

interface MutableBudget extends BodyBudget {
  used: number;
  shared: number;
  refusals: number;
}

/** A budget for one HTTP server; see `BodyBudget`. */
export function createBodyBudget(options: {
  maxBytes: number;
  freeBytesPerRequest?: number;
}): BodyBudget {
  const budget: MutableBudget = {
    maxBytes: options.maxBytes,
    freeBytesPerRequest: options.freeBytesPerRequest ?? 16 * 1024,
    used: 0,
    shared: 0,
    refusals: 0,
    inUse: () => budget.used,
    refused: () => budget.refusals,
  };
  return budget;
}

/** How the server reads bodies: set per request by the router, read by `readBody`. */
export interface BodyPolicy {
  /** Longest silence between two chunks of a body (nginx's client_body_timeout). */
  timeoutMs: number;
  budget?: BodyBudget | undefined;
}

const policies = new WeakMap<IncomingMessage, BodyPolicy>();

/** Attaches the server's body policy to a request (the router does this for every request). */
export function applyBodyPolicy(req: IncomingMessage, policy: BodyPolicy): void {
  policies.set(req, policy);
}

/**
 * Answers a request without reading its body: `Connection: close` so the socket is not kept for
 * the unread bytes, and the rest of the body is drained (never buffered) for at most the body
 * timeout, so a stalled client does not hold its socket.
 */
export function refuseUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
  drain(req);
}

/** Reads and drops the rest of a body; a silence of the body timeout closes the socket. */
function drain(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  const timeoutMs = policies.get(req)?.timeoutMs ?? 10_000;
  const timer = setTimeout(() => req.socket.destroy(), timeoutMs);
  req.on("data", () => {
    timer.refresh();
  });
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

function tooLarge(limit: number): OnAirError {
  return new OnAirError("ONAIR_ERR_REQUEST_TOO_LARGE", `request body over ${limit} bytes`);
}

/**
 * Reads a request body up to `limit` bytes. A larger body is refused as soon as it crosses the
 * limit (ONAIR_ERR_REQUEST_TOO_LARGE) instead of being buffered whole, a body that stalls for
 * the policy's timeout is refused (ONAIR_ERR_REQUEST_TIMEOUT, socket closed), and with
 * `unauthenticated` the bytes beyond the free allowance come out of the server's `BodyBudget`
 * (ONAIR_ERR_SERVER_BUSY when spent).
 *
 * @example
 * const body = await readBody(req, config.maxRequestBytes, { unauthenticated: true });
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  options: { unauthenticated?: boolean } = {},
): Promise<Buffer> {
  const policy = policies.get(req);
  const budget = options.unauthenticated
    ? (policy?.budget as MutableBudget | undefined)
    : undefined;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    drain(req);
    throw tooLarge(limit);
  }

  let size = 0;
  let shared = 0;
  /** Takes `bytes` more of the budget; false when it is spent. */
  const reserve = (total: number): boolean => {
    if (!budget) return true;
    const wantShared = Math.max(0, total - budget.freeBytesPerRequest);
    const more = wantShared - shared;
    if (more > 0 && budget.shared + more > budget.maxBytes) return false;
    if (more > 0) {
      budget.shared += more;
      shared += more;
    }
    return true;
  };
  // A declared length is reserved up front, so a flood is refused before its bytes arrive.
  if (Number.isFinite(declared) && declared > 0 && !reserve(declared)) {
    if (budget) budget.refusals++;
    drain(req);
    throw busy();
  }

  const chunks: Buffer[] = [];
  let counted = 0;
  const release = () => {
    if (!budget) return;
    budget.shared -= shared;
    budget.used -= counted;
    shared = 0;
    counted = 0;
  };
  const timeoutMs = policy?.timeoutMs;
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (timeoutMs === undefined) return;
        if (timer) return void timer.refresh();
        timer = setTimeout(() => {
          cleanup();
          req.socket.destroy();
          reject(
            new OnAirError(
              "ONAIR_ERR_REQUEST_TIMEOUT",
              `the request body stalled for more than ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          cleanup();
          drain(req);
          return reject(tooLarge(limit));
        }
        if (!reserve(size)) {
          cleanup();
          if (budget) budget.refusals++;
          drain(req);
          return reject(busy());
        }
        if (budget) {
          budget.used += chunk.length;
          counted += chunk.length;
        }
        chunks.push(chunk);
        arm();
      };
      const onEnd = () => {
        cleanup();
        resolve(Buffer.concat(chunks, size));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onClose = () => {
        if (req.complete) return;
        cleanup();
        reject(new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "the client closed the request"));
      };
      const cleanup = () => {
        clearTimeout(timer);
        req.off("data", onData);
        req.off("end", onEnd);
        req.off("error", onError);
        req.off("close", onClose);
      };
      req.on("data", onData);
      req.on("end", onEnd);
      req.on("error", onError);
      req.on("close", onClose);
      arm();
    });
  } finally {
    release();
  }
}

function busy(): OnAirError {
  return new OnAirError(
    "ONAIR_ERR_SERVER_BUSY",
    "too many request bodies are being received at once; retry shortly",
  );
}

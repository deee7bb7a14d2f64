import type { IncomingMessage } from "node:http";
import { OnAirError } from "../errors.js";

/**
 * Reads a request body up to `limit` bytes. A larger body is refused as soon as it crosses the
 * limit (ONAIR_ERR_REQUEST_TOO_LARGE) instead of being buffered whole.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new OnAirError("ONAIR_ERR_REQUEST_TOO_LARGE", `request body over ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      req.resume();
      throw new OnAirError("ONAIR_ERR_REQUEST_TOO_LARGE", `request body over ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

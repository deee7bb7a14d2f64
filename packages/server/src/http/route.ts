import type { IncomingMessage, ServerResponse } from "node:http";

/** One HTTP route of the server. Each route module exports a factory returning one of these. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { type CallbackAdapterOptions, handleCallback, readNodeBody } from "./handle-callback.js";

export type {
  CallbackAdapterOptions,
  CallbackContext,
  CallbackHandler,
} from "./handle-callback.js";

/**
 * A node:http request handler that verifies callbacks and calls `onEvent` once per valid one.
 *
 * @example
 * import { createServer } from "node:http";
 * import { createNodeHandler } from "@onair/callbacks/node";
 * createServer(createNodeHandler({ key: process.env.CALLBACK_KEY!, onEvent: (e) => console.log(e) })).listen(3000);
 */
export function createNodeHandler(
  options: CallbackAdapterOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const body = await readNodeBody(req, options.maxBodyBytes);
    const reply = await handleCallback(body, req.headers, options);
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(JSON.stringify(reply.body));
  };
}

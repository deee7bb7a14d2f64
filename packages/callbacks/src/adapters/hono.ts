import type { Context } from "hono";
import { type CallbackAdapterOptions, createFetchHandler } from "./handle-callback.js";

export type {
  CallbackAdapterOptions,
  CallbackContext,
  CallbackHandler,
} from "./handle-callback.js";

/**
 * A Hono handler (Fetch API), for Node, Bun, Deno and Workers alike.
 *
 * @example
 * app.post("/callbacks", createHonoHandler({ key: env.CALLBACK_KEY, onEvent }));
 */
export function createHonoHandler(
  options: CallbackAdapterOptions,
): (c: Context) => Promise<Response> {
  const handle = createFetchHandler(options);
  return (c) => handle(c.req.raw);
}

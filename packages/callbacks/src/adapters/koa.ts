import type { Context, Next } from "koa";
import { type CallbackAdapterOptions, handleCallback, readNodeBody } from "./handle-callback.js";

export type {
  CallbackAdapterOptions,
  CallbackContext,
  CallbackHandler,
} from "./handle-callback.js";

/**
 * Koa middleware: answers every request it sees. Mount it on the callback path (e.g. with
 * `@koa/router`) before any body parser.
 *
 * @example
 * app.use(async (ctx, next) => (ctx.path === "/callbacks" ? callbacks(ctx, next) : next()));
 */
export function createKoaMiddleware(
  options: CallbackAdapterOptions,
): (ctx: Context, next: Next) => Promise<void> {
  return async (ctx) => {
    const body = await readNodeBody(ctx.req, options.maxBodyBytes);
    const reply = await handleCallback(body, ctx.req.headers, options);
    ctx.status = reply.status;
    ctx.body = reply.body;
  };
}

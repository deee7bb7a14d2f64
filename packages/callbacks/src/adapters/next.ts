import { type CallbackAdapterOptions, createFetchHandler } from "./handle-callback.js";

export type {
  CallbackAdapterOptions,
  CallbackContext,
  CallbackHandler,
} from "./handle-callback.js";

/**
 * A Next.js App Router route handler.
 *
 * @example
 * // app/api/callbacks/route.ts
 * export const POST = createNextRouteHandler({ key: process.env.CALLBACK_KEY!, onEvent });
 */
export function createNextRouteHandler(
  options: CallbackAdapterOptions,
): (request: Request) => Promise<Response> {
  return createFetchHandler(options);
}

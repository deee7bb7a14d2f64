import type { IncomingMessage, ServerResponse } from "node:http";
import { type CallbackAdapterOptions, handleCallback, readNodeBody } from "./handle-callback.js";

export type {
  CallbackAdapterOptions,
  CallbackContext,
  CallbackHandler,
} from "./handle-callback.js";

type ExpressRequest = IncomingMessage & { body?: unknown };
type ExpressResponse = ServerResponse & {
  status(code: number): ExpressResponse;
  json(body: unknown): unknown;
};

/**
 * An Express handler. Mount it before any body parser (it reads the raw stream), or after
 * `express.raw({ type: "*\/*" })`. After `express.json()` the raw bytes are gone and OnAir's
 * `webhook-signature` cannot be checked: the body is refused rather than trusted.
 *
 * @example
 * app.post("/callbacks", createExpressHandler({ key: process.env.CALLBACK_KEY!, onEvent }));
 */
export function createExpressHandler(
  options: CallbackAdapterOptions,
): (req: ExpressRequest, res: ExpressResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const body = Buffer.isBuffer(req.body)
      ? Promise.resolve(req.body)
      : readNodeBody(req, options.maxBodyBytes);
    body
      .then((raw) => handleCallback(raw, req.headers, options))
      .then((reply) => {
        res.status(reply.status).json(reply.body);
      })
      .catch(next);
  };
}

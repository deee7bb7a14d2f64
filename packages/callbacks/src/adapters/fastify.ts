import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { CallbackVerificationError } from "../errors.js";
import { DEFAULT_MAX_BODY_BYTES } from "../receiver/verify.js";
import { type CallbackAdapterOptions, handleCallback } from "./handle-callback.js";

export type {
  CallbackAdapterOptions,
  CallbackContext,
  CallbackHandler,
} from "./handle-callback.js";

/** Options of the Fastify plugin: the route path plus the adapter options. */
export interface FastifyCallbackOptions extends CallbackAdapterOptions {
  /** Route path, default `/`. Use the plugin's `prefix` to mount it elsewhere. */
  path?: string;
}

/**
 * A Fastify plugin registering `POST path`. It parses every content type as a raw Buffer inside
 * its own encapsulated context, so the rest of the app keeps its JSON parser.
 *
 * @example
 * await app.register(onairCallbacks, { prefix: "/callbacks", key: process.env.CALLBACK_KEY!, onEvent });
 */
export const onairCallbacks: FastifyPluginAsync<FastifyCallbackOptions> = async (
  app: FastifyInstance,
  options,
) => {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: limit }, (_req, body, done) =>
    done(null, body),
  );
  app.setErrorHandler(async (error: { code?: string; statusCode?: number }, _req, reply) => {
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const tooLarge = new CallbackVerificationError(
        "ONAIR_ERR_CALLBACK_BODY_TOO_LARGE",
        `limit ${limit}`,
      );
      return reply.status(tooLarge.status).send(tooLarge.toJSON());
    }
    throw error;
  });
  app.post(options.path ?? "/", async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await handleCallback(raw, request.headers, options);
    return reply.status(result.status).send(result.body);
  });
};

import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import { createExpressHandler } from "../../src/adapters/express.js";
import { onairCallbacks } from "../../src/adapters/fastify.js";
import { createHonoHandler } from "../../src/adapters/hono.js";
import { createKoaMiddleware } from "../../src/adapters/koa.js";
import { createNodeHandler } from "../../src/adapters/node.js";
import { adapterMatrix, type RunningApp } from "./adapter-matrix.js";

async function listening(server: Server, path: string): Promise<RunningApp> {
  if (!server.listening) await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

adapterMatrix("node:http", async (options) =>
  listening(createServer(createNodeHandler(options)).listen(0, "127.0.0.1"), "/"),
);

adapterMatrix("Express", async (options) => {
  const app = express();
  app.post("/callbacks", createExpressHandler(options));
  return listening(app.listen(0, "127.0.0.1"), "/callbacks");
});

adapterMatrix("Express after express.raw()", async (options) => {
  const app = express();
  app.post("/callbacks", express.raw({ type: "*/*", limit: "2mb" }), createExpressHandler(options));
  return listening(app.listen(0, "127.0.0.1"), "/callbacks");
});

adapterMatrix("Fastify", async (options) => {
  const app = Fastify();
  await app.register(onairCallbacks, { ...options, prefix: "/callbacks" });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/callbacks`, close: () => app.close() };
});

adapterMatrix("Koa", async (options) => {
  const app = new Koa();
  app.use(createKoaMiddleware(options));
  return listening(app.listen(0, "127.0.0.1"), "/callbacks");
});

adapterMatrix("Hono", async (options) => {
  const app = new Hono();
  app.post("/callbacks", createHonoHandler(options));
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  return listening(server, "/callbacks");
});

import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { toOnAirError } from "../errors.js";
import { type RouteHandler, sendJson } from "./route.js";

/** A route: exact path, or a prefix when `path` ends with `/`. */
export interface Route {
  method: "GET" | "POST" | "HEAD";
  path: string;
  handler: RouteHandler;
}

/**
 * The HTTP server of OnAir: one port for the management API, intake, hooks, files, metrics and
 * the dashboard. Routing is a table; each route module owns its own body parsing and replies.
 */
export function createHttpServer(options: { routes: Route[]; logger: Logger }): Server {
  const exact = new Map<string, RouteHandler>();
  const prefixes: Route[] = [];
  for (const route of options.routes) {
    if (route.path.endsWith("/") && route.path !== "/") prefixes.push(route);
    else exact.set(`${route.method} ${route.path}`, route.handler);
  }
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    const handler =
      exact.get(`${method} ${path}`) ??
      prefixes.find((r) => r.method === method && path.startsWith(r.path))?.handler;
    if (!handler) {
      const known = [...exact.keys()].some((k) => k.endsWith(` ${path}`));
      req.resume();
      sendJson(res, known ? 405 : 404, {
        error: known ? "ONAIR_ERR_METHOD_NOT_ALLOWED" : "ONAIR_ERR_NOT_FOUND",
        message: known ? `${method} is not allowed on ${path}` : `no route for ${path}`,
      });
      return;
    }
    handler(req, res).catch((err: unknown) => {
      const error = toOnAirError(err);
      options.logger.error({ err, path }, "request failed");
      if (res.headersSent) res.destroy();
      else sendJson(res, error.httpStatus, { error: error.code, message: error.message });
    });
  });
  // Slow or stalled clients must not pin sockets forever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  return server;
}

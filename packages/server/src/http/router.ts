import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { OnAirError } from "../errors.js";
import { sendError } from "./error-reply.js";
import { applyBodyPolicy, type BodyBudget, refuseUnread } from "./read-body.js";
import type { RouteHandler } from "./route.js";

/**
 * A route: exact path, a prefix when `path` ends with `/`, or a suffix when it starts with `*`
 * (`*.flv`: HTTP-FLV). Exact paths win, then prefixes, then suffixes.
 */
export interface Route {
  method: "GET" | "POST" | "HEAD";
  path: string;
  handler: RouteHandler;
}

/**
 * The HTTP server of OnAir: one port for the management API, intake, hooks, files, metrics and
 * the dashboard. Routing is a table; each route module owns its own body parsing and replies.
 */
/** Server-wide limits (config `http.*`); each has a default for tests that build a bare server. */
export interface HttpLimits {
  maxConnections?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Shared by the bodies read with `readBody(…, { unauthenticated: true })`. */
  bodyBudget?: BodyBudget;
}

export function createHttpServer(options: {
  routes: Route[];
  logger: Logger;
  limits?: HttpLimits;
}): Server {
  const limits = options.limits ?? {};
  const bodyPolicy = { timeoutMs: limits.bodyTimeoutMs ?? 10_000, budget: limits.bodyBudget };
  const exact = new Map<string, RouteHandler>();
  const prefixes: Route[] = [];
  const suffixes: Route[] = [];
  for (const route of options.routes) {
    if (route.path.startsWith("*")) suffixes.push(route);
    else if (route.path.endsWith("/") && route.path !== "/") prefixes.push(route);
    else exact.set(`${route.method} ${route.path}`, route.handler);
  }
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    applyBodyPolicy(req, bodyPolicy);
    const handler =
      exact.get(`${method} ${path}`) ??
      prefixes.find((r) => r.method === method && path.startsWith(r.path))?.handler ??
      suffixes.find((r) => r.method === method && path.endsWith(r.path.slice(1)))?.handler;
    if (!handler) {
      const known = [...exact.keys()].some((k) => k.endsWith(` ${path}`));
      // Refused before a byte of the body is read (nginx answers an unknown location the same way).
      refuseUnread(req, res);
      sendError(
        res,
        known
          ? new OnAirError("ONAIR_ERR_METHOD_NOT_ALLOWED", `${method} is not allowed on ${path}`)
          : new OnAirError("ONAIR_ERR_ROUTE_NOT_FOUND", `no route for ${path}`),
      );
      return;
    }
    handler(req, res).catch((err: unknown) => {
      options.logger.error({ err, path }, "request failed");
      if (res.headersSent) res.destroy();
      else sendError(res, err);
    });
  });
  // Slow or stalled clients must not pin sockets forever; past maxConnections node closes new
  // sockets at once ('drop' event), like nginx's worker_connections.
  server.requestTimeout = limits.requestTimeoutMs ?? 60_000;
  server.headersTimeout = Math.min(limits.headersTimeoutMs ?? 20_000, server.requestTimeout);
  server.maxConnections = limits.maxConnections ?? 1024;
  let lastDropLog = 0;
  server.on("drop", (data?: { remoteAddress?: string }) => {
    // One line per second at most: a connection flood must not flood the log too.
    const now = Date.now();
    if (now - lastDropLog < 1000) return;
    lastDropLog = now;
    options.logger.warn(
      { clientIp: data?.remoteAddress, maxConnections: server.maxConnections },
      "HTTP connection refused: maxConnections reached",
    );
  });
  return server;
}

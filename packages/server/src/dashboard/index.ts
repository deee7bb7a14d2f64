import type { Logger } from "pino";
import type { StreamControl } from "../api/action.js";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { AuthThrottle } from "../http/auth-throttle.js";
import type { Route } from "../http/router.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { Store } from "../store/store.js";
import { createDashboardApiRoute, DASHBOARD_API_PREFIX } from "./api-route.js";
import { createEventsRoute } from "./events-route.js";
import { createLiveFeed } from "./live-feed.js";
import type { ViewerFigures } from "./play-info.js";
import { createSessionStore, SESSION_TTL_MS } from "./session-store.js";
import { createSignInRoute } from "./sign-in-route.js";
import { createStaticRoute, findDashboardAssets } from "./static-route.js";

/** What the dashboard needs from the composition root. */
export interface DashboardOptions {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  credentials: { secretId: string; secretKey: string };
  /** The node's bus: committed events feed the live view; redelivers are told on it. */
  nodeEvents: NodeEvents;
  filesDir: string;
  /** The `?expires=&sig=` for a path under `/files/` ("" when files are public). */
  fileUrlQuery: (path: string) => string;
  rtmpPort(): number | null;
  streams?: StreamControl | undefined;
  /** This node's viewer counters (the playback service's); absent when playback is off. */
  viewers?: ViewerFigures | undefined;
  /** The built app (default: found next to the server, see findDashboardAssets). */
  assetsDir?: string | null;
  sessionTtlMs?: number;
  /** The shared limiter of failed authentications (default: the sign-in route's own). */
  throttle?: AuthThrottle | undefined;
}

/**
 * The dashboard under `/dashboard/`: the app, sign-in, the actions of the management API behind a
 * session cookie, and a server-sent event stream. `close()` ends the open event streams, which
 * would otherwise keep the HTTP server from closing.
 *
 * @example
 * const nodeEvents = createNodeEvents(onListenerError);
 * const committer = createEventCommitter({ ...deps, nodeEvents });
 * const dashboard = createDashboard({ store, config, clock, logger, credentials, nodeEvents, … });
 * createHttpServer({ logger, routes: [...otherRoutes, ...dashboard.routes] });
 */
export function createDashboard(options: DashboardOptions): { routes: Route[]; close(): void } {
  const ttlMs = options.sessionTtlMs ?? SESSION_TTL_MS;
  const sessions = createSessionStore({ clock: options.clock, ttlMs });
  const { signIn, signOut } = createSignInRoute({
    credentials: options.credentials,
    sessions,
    clock: options.clock,
    secureCookie: options.config.publicUrl?.startsWith("https:") ?? false,
    ttlMs,
    throttle: options.throttle,
    logger: options.logger,
  });
  const api = createDashboardApiRoute({
    sessions,
    maxRequestBytes: options.config.maxRequestBytes,
    logger: options.logger,
    ctx: {
      store: options.store,
      config: options.config,
      clock: options.clock,
      nodeEvents: options.nodeEvents,
      streams: options.streams,
      filesDir: options.filesDir,
      fileUrlQuery: options.fileUrlQuery,
      rtmpPort: options.rtmpPort,
      viewers: options.viewers,
    },
  });
  const events = createEventsRoute({
    ...options,
    sessions,
    feed: createLiveFeed(options.nodeEvents),
  });
  const app = createStaticRoute({
    root: options.assetsDir === undefined ? findDashboardAssets() : options.assetsDir,
    prefix: "/dashboard/",
  });
  return {
    routes: [
      {
        method: "GET",
        path: "/dashboard",
        handler: async (_req, res) => {
          res.writeHead(308, { location: "/dashboard/" });
          res.end();
        },
      },
      { method: "POST", path: "/dashboard/session", handler: signIn },
      { method: "POST", path: "/dashboard/session/end", handler: signOut },
      { method: "POST", path: DASHBOARD_API_PREFIX, handler: api },
      { method: "GET", path: "/dashboard/events", handler: events.handler },
      { method: "GET", path: "/dashboard/", handler: app },
      { method: "HEAD", path: "/dashboard/", handler: app },
    ],
    close: events.close,
  };
}

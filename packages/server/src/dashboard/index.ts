import type { Logger } from "pino";
import type { StreamControl } from "../api/action.js";
import type { OnAirConfig } from "../config/schema.js";
import type { OperatorAlerts } from "../dispatcher/operator-alerts.js";
import type { Clock } from "../domain/clock.js";
import type { ForwardTargetsSource } from "../forwarding/forward-service.js";
import type { AuthThrottle } from "../http/auth-throttle.js";
import type { Route } from "../http/router.js";
import type { PushInfoSource } from "../monitoring/push-monitor.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { ViewerStats } from "../playback/viewer-stats.js";
import type { Store } from "../store/store.js";
import { createDashboardApiRoute, DASHBOARD_API_PREFIX } from "./api-route.js";
import { createEventsRoute } from "./events-route.js";
import { createLiveFeed } from "./live-feed.js";
import { collectMissingUrls } from "./missing-urls.js";
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
  /** Operator alerts (docs/alerts.md), told when an endpoint is enabled again. */
  alerts?: OperatorAlerts | undefined;
  /** This node's push statistics (the stream view's figures and chart). */
  pushInfo?: PushInfoSource | undefined;
  /** This node's viewer counters (the playback service's); absent when playback is off. */
  viewers?: ViewerStats | undefined;
  /** This node's forwards (the stream view's forward list); absent when forwarding is off. */
  forwards?: ForwardTargetsSource | undefined;
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
  const sessions = createSessionStore({
    clock: options.clock,
    sessions: options.store.sessions,
    ttlMs,
  });
  const { signIn, signOut } = createSignInRoute({
    credentials: options.credentials,
    sessions,
    clock: options.clock,
    secureCookie: options.config.publicUrl?.startsWith("https:") ?? false,
    ttlMs,
    throttle: options.throttle,
    logger: options.logger,
  });
  const missingUrls = collectMissingUrls(options.nodeEvents);
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
      alerts: options.alerts,
      pushInfo: options.pushInfo,
      filesDir: options.filesDir,
      fileUrlQuery: options.fileUrlQuery,
      rtmpPort: options.rtmpPort,
      missingUrls,
      viewers: options.viewers,
      forwards: options.forwards,
    },
  });
  // Every node's events, not only this node's, when the store is shared (docs/dashboard.md).
  const feed = createLiveFeed(options.nodeEvents, {
    store: options.store,
    clock: options.clock,
    logger: options.logger,
  });
  const events = createEventsRoute({ ...options, sessions, missingUrls, feed });
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
    close() {
      events.close();
      feed.close();
    },
  };
}

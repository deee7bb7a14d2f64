import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { sendError } from "../http/error-reply.js";
import type { RouteHandler } from "../http/route.js";
import type { Store } from "../store/store.js";
import { requireSession } from "./http-helpers.js";
import type { LiveFeed } from "./live-feed.js";
import { readOverview } from "./overview.js";
import type { SessionStore } from "./session-store.js";
import type { MissingUrlWarning } from "./wire-types.js";

/** How often queue figures are pushed. */
const STATS_INTERVAL_MS = 2000;
/** Wait after an event before pushing fresh figures, so a burst of events costs one read. */
const EVENT_STATS_DELAY_MS = 250;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /dashboard/events`: server-sent events for a signed-in dashboard. `event: onair-event`
 * for every committed event (told on the node's bus, so a push shows at once) and
 * `event: stats` with the overview figures every STATS_INTERVAL_MS. The figures are read once
 * per tick for all clients, and only while someone listens.
 */
export function createEventsRoute(options: {
  sessions: SessionStore;
  feed: LiveFeed;
  store: Store;
  clock: Clock;
  logger: Logger;
  missingUrls: () => MissingUrlWarning[];
}): { handler: RouteHandler; close(): void } {
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | null = null;
  let lastStats = "";

  const send = (res: ServerResponse, event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const tick = async () => {
    try {
      lastStats = JSON.stringify(await readOverview(options));
      for (const res of clients) res.write(`event: stats\ndata: ${lastStats}\n\n`);
    } catch (err) {
      options.logger.warn({ err }, "dashboard stats could not be read");
    }
  };
  // A committed event changes the figures: push them soon rather than at the next tick.
  let soon: NodeJS.Timeout | null = null;
  const stopStatsOnEvents = options.feed.subscribe(() => {
    if (clients.size === 0 || soon) return;
    soon = setTimeout(() => {
      soon = null;
      void tick();
    }, EVENT_STATS_DELAY_MS);
  });
  let beats = 0;
  const start = () => {
    timer ??= setInterval(() => {
      void tick();
      if (++beats % Math.round(HEARTBEAT_MS / STATS_INTERVAL_MS) === 0) {
        for (const res of clients) res.write(": heartbeat\n\n");
      }
    }, STATS_INTERVAL_MS);
  };
  const stopIfIdle = () => {
    if (clients.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  const handler: RouteHandler = async (req, res) => {
    try {
      await requireSession(req, options.sessions);
    } catch (err) {
      req.resume();
      return sendError(res, err);
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    clients.add(res);
    const unsubscribe = options.feed.subscribe((event) => send(res, "onair-event", event));
    req.socket.setTimeout(0);
    res.on("close", () => {
      unsubscribe();
      clients.delete(res);
      stopIfIdle();
    });
    start();
    send(res, "stats", await readOverview(options));
  };

  return {
    handler,
    close() {
      stopStatsOnEvents();
      if (soon) clearTimeout(soon);
      for (const res of clients) res.end();
      clients.clear();
      stopIfIdle();
    },
  };
}

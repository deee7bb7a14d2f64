import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import { isStorageFull, OnAirError } from "../errors.js";
import { sendError } from "../http/error-reply.js";
import { type RouteHandler, sendJson } from "../http/route.js";
import type { Metrics } from "./metrics.js";
import { cachedSingleFlight } from "./single-flight.js";

/** What `/healthz` asks of the store (observability sits below it, so it names only this). */
export interface StorageHealth {
  /** A durable one-row write for `node`; rejects when the store cannot write. */
  probeWrite(node: string, at: Date): Promise<void>;
  /** The last write that failed with storage full, until a later one commits; in memory. */
  lastStorageFull(): { at: Date; message: string } | null;
}

/**
 * `GET /healthz`: 200 `{"status":"ok"}` while the store can write, else 503
 * `{"error":{"code":"ONAIR_ERR_STORE_UNWRITABLE","message":"…"}}` (`ONAIR_ERR_STORAGE_FULL` when
 * the disk is full) with `Retry-After`. Two signals, both cheap: the last
 * write that failed with storage full (kept in memory by the driver), and a durable one-row write
 * probe run at most once per `writeProbeMaxAgeMs` whatever the request rate (concurrent requests
 * share it). It never reads the deliveries table.
 */
export function createHealthRoute(deps: {
  storage: StorageHealth;
  nodeId: string;
  clock: { now(): Date };
  logger: Logger;
  writeProbeMaxAgeMs: number;
}): RouteHandler {
  const probe = cachedSingleFlight(
    async (): Promise<{ message: string; full: boolean } | null> => {
      try {
        await deps.storage.probeWrite(deps.nodeId, deps.clock.now());
        return null;
      } catch (err) {
        return {
          message: err instanceof Error ? err.message : String(err),
          full: isStorageFull(err),
        };
      }
    },
    deps.writeProbeMaxAgeMs,
    () => deps.clock.now().getTime(),
  );
  let failing = false;
  return async (req, res) => {
    req.resume();
    const lastFull = deps.storage.lastStorageFull();
    const probeError = await probe();
    // Either signal alone says full: on a full disk SQLite can still commit a write now and then
    // (a reset WAL reuses its pages), which clears `lastFull` while the probe fails for space.
    const full = lastFull !== null || probeError?.full === true;
    const problem = lastFull ? `storage full: ${lastFull.message}` : (probeError?.message ?? null);
    if (problem !== null) {
      if (!failing) deps.logger.error({ store: problem }, "health: the store cannot write");
      failing = true;
      res.setHeader("retry-after", String(Math.max(1, Math.ceil(deps.writeProbeMaxAgeMs / 1000))));
      return sendError(
        res,
        new OnAirError(
          full ? "ONAIR_ERR_STORAGE_FULL" : "ONAIR_ERR_STORE_UNWRITABLE",
          `node ${deps.nodeId}: the store cannot write: ${problem}`,
        ),
      );
    }
    if (failing) deps.logger.info("health: the store writes again");
    failing = false;
    sendJson(res, 200, { status: "ok", node: deps.nodeId });
  };
}

/**
 * `GET /metrics` in the Prometheus text format. With `token` set (config `metrics.token`) it
 * requires `Authorization: Bearer <token>` (compared in constant time) and answers 401 otherwise;
 * refusals are logged at most once a minute with their count.
 */
export function createMetricsRoute(deps: {
  metrics: Metrics;
  token: string | undefined;
  logger: Logger;
  now?: () => number;
}): RouteHandler {
  const now = deps.now ?? Date.now;
  const expected = deps.token ? createHash("sha256").update(deps.token).digest() : null;
  let refused = 0;
  let lastLogAt = Number.NEGATIVE_INFINITY;
  return async (req, res) => {
    req.resume();
    if (expected) {
      const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
      const given = match?.[1] ? createHash("sha256").update(match[1].trim()).digest() : null;
      if (!given || !timingSafeEqual(given, expected)) {
        refused++;
        if (now() - lastLogAt >= 60_000) {
          deps.logger.warn(
            { refused, ip: req.socket.remoteAddress },
            "metrics: refused requests without the metrics.token bearer",
          );
          lastLogAt = now();
          refused = 0;
        }
        res.setHeader("www-authenticate", 'Bearer realm="metrics"');
        return sendError(
          res,
          new OnAirError(
            "ONAIR_ERR_AUTH_MISSING",
            given
              ? "the metrics bearer token is wrong"
              : "Authorization: Bearer <metrics.token> is required",
          ),
        );
      }
    }
    const text = await deps.metrics.registry.metrics();
    res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
    res.end(text);
  };
}

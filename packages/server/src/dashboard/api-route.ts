import type { Logger } from "pino";
import { API_ACTIONS } from "../api/actions/index.js";
import { withoutNulls } from "../api/params.js";
import { OnAirError, toOnAirError } from "../errors.js";
import { sendError } from "../http/error-reply.js";
import { type RouteHandler, sendJson } from "../http/route.js";
import { DASHBOARD_ACTIONS, type DashboardActionContext } from "./dashboard-actions.js";
import { readJsonObject, requireSession } from "./http-helpers.js";
import type { SessionStore } from "./session-store.js";

/** Path prefix of the dashboard's API calls: `POST /dashboard/api/<Action>`. */
export const DASHBOARD_API_PREFIX = "/dashboard/api/";

/**
 * `POST /dashboard/api/<Action>`: the management API's actions (same registry, same parameter
 * checks and messages) plus the dashboard's own, authorised by the session cookie instead of a
 * TC3 signature. Replies are the action's `Response` fields, or the plain-route error body
 * `{"error": {"code", "message"}}` (docs/errors.md) with the error's HTTP status (401 without a
 * session).
 */
export function createDashboardApiRoute(options: {
  sessions: SessionStore;
  ctx: DashboardActionContext;
  maxRequestBytes: number;
  logger: Logger;
}): RouteHandler {
  return async (req, res) => {
    const name = (req.url ?? "").split("?")[0]?.slice(DASHBOARD_API_PREFIX.length) ?? "";
    try {
      await requireSession(req, options.sessions);
      const params = withoutNulls(
        await readJsonObject(req, options.maxRequestBytes, {
          maxDepth: options.ctx.config.maxJsonDepth,
          logger: options.logger,
        }),
      );
      const action = API_ACTIONS.get(name) ?? DASHBOARD_ACTIONS.get(name);
      if (!action) {
        throw new OnAirError(
          "ONAIR_ERR_INVALID_ACTION",
          `the action ${name.slice(0, 64)} does not exist`,
        );
      }
      sendJson(res, 200, await action.run(params, options.ctx));
    } catch (err) {
      if (toOnAirError(err).code === "ONAIR_ERR_INTERNAL") {
        options.logger.error({ err, action: name }, "dashboard action failed");
      }
      if (!res.headersSent) req.resume();
      sendError(res, err);
    }
  };
}

import { randomUUID } from "node:crypto";
import type { Credentials } from "../config/credentials.js";
import { OnAirError, toOnAirError } from "../errors.js";
import { readBody } from "../http/read-body.js";
import { type RouteHandler, sendJson } from "../http/route.js";
import type { ActionContext, ActionHandler } from "./action.js";
import { callbackActions } from "./actions/callback-actions.js";
import { deliveryActions } from "./actions/delivery-actions.js";
import { domainActions } from "./actions/domain-actions.js";
import { verifyTc3 } from "./tc3.js";

export const API_VERSION = "2018-08-01";

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ...callbackActions,
  ...domainActions,
  ...deliveryActions,
};

/** Names of every supported action. */
export const SUPPORTED_ACTIONS = Object.keys(ACTIONS).sort();

/**
 * `POST /`: Tencent Cloud API 3.0. Every reply is HTTP 200 with `{"Response": …}`, errors included,
 * because the official SDK reads `Response.Error` only from 200 replies.
 */
export function createApiRoute(ctx: ActionContext & { credentials: Credentials }): RouteHandler {
  return async (req, res) => {
    const requestId = randomUUID();
    const reply = (fields: Record<string, unknown>) =>
      sendJson(res, 200, { Response: { ...fields, RequestId: requestId } });
    try {
      const body = await readBody(req, ctx.config.maxRequestBytes);
      const action = String(req.headers["x-tc-action"] ?? "");
      const version = String(req.headers["x-tc-version"] ?? "");
      if (!action)
        throw new OnAirError("ONAIR_ERR_MISSING_PARAMETER", "the X-TC-Action header is missing");
      verifyTc3(
        { method: req.method ?? "POST", headers: req.headers, body },
        {
          lookupSecretKey: (id) =>
            id === ctx.credentials.secretId ? ctx.credentials.secretKey : undefined,
          now: ctx.clock.now(),
        },
      );
      if (version !== API_VERSION)
        throw new OnAirError("ONAIR_ERR_NO_SUCH_VERSION", `X-TC-Version must be ${API_VERSION}`);
      const handler = ACTIONS[action];
      if (!handler)
        throw new OnAirError("ONAIR_ERR_INVALID_ACTION", `the action ${action} does not exist`);
      let params: unknown;
      try {
        params = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
      } catch {
        throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "the request body is not valid JSON");
      }
      if (typeof params !== "object" || params === null || Array.isArray(params)) {
        throw new OnAirError(
          "ONAIR_ERR_INVALID_PARAMETER",
          "the request body must be a JSON object",
        );
      }
      reply(await handler(params as Record<string, unknown>, ctx));
    } catch (err) {
      const error = toOnAirError(err);
      if (error.code === "ONAIR_ERR_INTERNAL") ctx.logger.error({ err }, "API action failed");
      reply({ Error: error.toTencentError() });
    }
  };
}

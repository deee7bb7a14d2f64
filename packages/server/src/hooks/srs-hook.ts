import { resolve } from "node:path";
import type { RouteHandler } from "../http/route.js";
import { sendJson } from "../http/route.js";
import { admitPublish, type HookContext, hookedPublish, refusalBody } from "./hook-context.js";
import { HookInputError, readHookRequest, requireField } from "./hook-request.js";

/** SRS's name for "no vhost configured": the push domain comes from the tcUrl instead. */
const DEFAULT_VHOST = "__defaultVhost__";
/** SRS's names for the facts of a publish. */
const SRS_NAMES = {
  app: "app",
  tcUrl: "tcUrl",
  streamName: "stream",
  clientIp: "ip",
  peerClientId: "client_id",
};
const IGNORED_ACTIONS = new Set(["on_connect", "on_close", "on_play", "on_stop", "on_hls"]);

/**
 * `POST /hooks/srs`: SRS `http_hooks` `on_publish` (reply `{"code":0}` allows, a non-zero code
 * refuses), `on_unpublish` and `on_dvr`, told apart by `action`. SRS needs HTTP 200 and a code
 * for every hook, so other actions sharing the URL get `{"code":0}`.
 */
export function createSrsHook(ctx: HookContext): RouteHandler {
  return async (req, res) => {
    const hook = await readHookRequest(req, ctx.config.maxRequestBytes);
    const action = requireField(hook.fields, "action");
    if (IGNORED_ACTIONS.has(action)) return sendJson(res, 200, { code: 0 });
    const vhost = hook.fields.get("vhost");
    const input = hookedPublish(ctx, hook, "srs", SRS_NAMES, {
      streamParam: (hook.fields.get("param") ?? "").replace(/^\?/, ""),
      domain: vhost && vhost !== DEFAULT_VHOST ? vhost : undefined,
    });
    switch (action) {
      case "on_publish": {
        const verdict = await admitPublish(ctx, input);
        return sendJson(res, 200, verdict.ok ? { code: 0 } : refusalBody(verdict));
      }
      case "on_unpublish": {
        const ended = await ctx.publishes.ended(input);
        return sendJson(res, 200, { code: 0, sequence: ended.sequence });
      }
      case "on_dvr": {
        const file = requireField(hook.fields, "file");
        const cwd = hook.fields.get("cwd");
        const outcome = await ctx.publishes.recorded({
          ...input,
          // SRS reports the file relative to its working directory by default.
          path: cwd ? resolve(cwd, file) : file,
          durationSeconds: null,
        });
        return sendJson(res, 200, { code: 0, ...outcome });
      }
      default:
        throw new HookInputError(`unknown SRS action ${JSON.stringify(action.slice(0, 32))}`);
    }
  };
}

import type { RouteHandler } from "../http/route.js";
import { sendJson } from "../http/route.js";
import { admitPublish, type HookContext, hookedPublish, refusalBody } from "./hook-context.js";
import { HookInputError, readHookRequest, requireField } from "./hook-request.js";

/** Fields nginx-rtmp sets itself; everything else in the body is the publisher's query. */
const NGINX_FIELDS = new Set([
  ...["app", "flashver", "swfurl", "tcurl", "pageurl", "addr", "clientid", "call", "name"],
  ...["type", "epoch", "recorder", "path", "start", "duration", "reset"],
]);

/** nginx-rtmp's names for the facts of a publish. */
const NGINX_NAMES = {
  app: "app",
  tcUrl: "tcurl",
  streamName: "name",
  clientIp: "addr",
  peerClientId: "clientid",
};

/** Calls that need nothing from OnAir but may share the URL (`on_connect`, `on_play`…). */
const IGNORED_CALLS = new Set(["connect", "play", "play_done", "done", "update"]);

/**
 * nginx-rtmp flattens the publisher's query into the form body after its own fields
 * (`…&name=test&type=live&txSecret=…&txTime=…`); the rest, kept as sent, is the stream_param.
 */
function nginxStreamParam(rawBody: string): string {
  return rawBody
    .split("&")
    .filter((pair) => {
      const name = pair.split("=", 1)[0] ?? "";
      let key = name;
      try {
        key = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // An undecodable name is not one of nginx's: keep the pair.
      }
      return key !== "" && !NGINX_FIELDS.has(key);
    })
    .join("&");
}

/**
 * `POST /hooks/nginx-rtmp`: nginx-rtmp's `on_publish` (2xx allows, 403 refuses), `on_publish_done`
 * and `on_record_done`, told apart by the `call` field.
 */
export function createNginxRtmpHook(ctx: HookContext): RouteHandler {
  return async (req, res) => {
    const hook = await readHookRequest(req, ctx.config.maxRequestBytes);
    const call = requireField(hook.fields, "call");
    if (IGNORED_CALLS.has(call)) return sendJson(res, 200, { code: 0 });
    const input = hookedPublish(ctx, hook, "nginx-rtmp", NGINX_NAMES, {
      streamParam: nginxStreamParam(hook.rawBody),
    });
    switch (call) {
      case "publish": {
        const verdict = await admitPublish(ctx, input);
        // nginx-rtmp drops the publisher on any non-2xx reply.
        return verdict.ok
          ? sendJson(res, 200, { code: 0 })
          : sendJson(res, 403, refusalBody(verdict));
      }
      case "publish_done": {
        const ended = await ctx.publishes.ended(input);
        return sendJson(res, 200, { code: 0, sequence: ended.sequence });
      }
      case "record_done": {
        const outcome = await ctx.publishes.recorded({
          ...input,
          path: requireField(hook.fields, "path"),
          durationSeconds: null,
        });
        return sendJson(res, 200, { code: 0, ...outcome });
      }
      default:
        throw new HookInputError(`unknown nginx-rtmp call ${JSON.stringify(call.slice(0, 32))}`);
    }
  };
}

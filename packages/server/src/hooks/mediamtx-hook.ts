import { resolve } from "node:path";
import { OnAirError } from "../errors.js";
import { sendError } from "../http/error-reply.js";
import type { RouteHandler } from "../http/route.js";
import { sendJson } from "../http/route.js";
import type { PublishTarget } from "../ingest/session/publish-target.js";
import { checkPublish, type HookContext, refusalBody } from "./hook-context.js";
import type { HookPublishInput } from "./hook-publishes.js";
import { HookInputError, type HookRequest, readHookRequest, requireField } from "./hook-request.js";
import { resolveTarget } from "./hook-target.js";

/** AppName of a MediaMTX path without a `/` (`mystream` → live/mystream). */
const DEFAULT_APP = "live";
/** Publisher addresses seen by the auth hook, waiting for their runOnReady (which has none). */
const MAX_PENDING_ADDRESSES = 10_000;

/** Hook fields: the body's (form or JSON) over the hook URL's query, minus the token. */
function fieldsOf(hook: HookRequest): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of hook.urlQuery) if (key !== "token") fields.set(key, value);
  for (const [key, value] of hook.fields) fields.set(key, value);
  return fields;
}

/**
 * A MediaMTX path as push target: the last segment is the StreamName, the rest the AppName.
 * MediaMTX knows no push domain: `domain=` in the publisher's query, else the hook's `domain`
 * field, else `ingest.defaultDomain`.
 */
function targetOf(
  ctx: HookContext,
  fields: ReadonlyMap<string, string>,
  path: string,
  query: string,
): PublishTarget {
  const slash = path.lastIndexOf("/");
  const app = slash < 0 ? DEFAULT_APP : path.slice(0, slash);
  const streamName = slash < 0 ? path : path.slice(slash + 1);
  const defaultDomain = fields.get("domain") ?? ctx.config.ingest.defaultDomain ?? null;
  if (!defaultDomain && !new URLSearchParams(query).get("domain")) {
    throw new HookInputError(
      "no push domain: add domain=<push domain> to the hook URL or set ingest.defaultDomain",
    );
  }
  return resolveTarget({ app, tcUrl: "", streamName, streamParam: query, defaultDomain });
}

/**
 * `POST /hooks/mediamtx` (runOnReady / runOnNotReady / runOnRecordSegmentComplete through curl)
 * and `POST /hooks/mediamtx/auth` (authHTTPAddress). `action` is `ready`, `not_ready` or
 * `segment_complete`; the other fields are MediaMTX's variables by lower-case name (`path`,
 * `query`, `source_type`, `source_id`, `segment_path`, `segment_duration`) plus `cwd`, since
 * MediaMTX writes segments relative to its working directory. runOnReady cannot refuse a
 * publish: push auth is enforced only through the auth route.
 */
export function createMediaMtxHooks(ctx: HookContext): {
  events: RouteHandler;
  auth: RouteHandler;
} {
  const addresses = new Map<string, string>();

  const events: RouteHandler = async (req, res) => {
    const hook = await readHookRequest(req, ctx.config.maxRequestBytes);
    const fields = fieldsOf(hook);
    const action = requireField(fields, "action");
    const path = requireField(fields, "path").replace(/^\/+/, "");
    const target = targetOf(ctx, fields, path, fields.get("query") ?? "");
    const input: HookPublishInput = {
      source: "mediamtx",
      target,
      clientIp: fields.get("ip") ?? addresses.get(path) ?? "",
      node: hook.peerAddress,
      peerClientId: fields.get("source_id") || null,
    };
    switch (action) {
      case "ready": {
        addresses.delete(path);
        const started = await ctx.publishes.started(input);
        return sendJson(res, 200, { code: 0, sequence: started.sequence });
      }
      case "not_ready": {
        const ended = await ctx.publishes.ended(input);
        return sendJson(res, 200, { code: 0, sequence: ended.sequence });
      }
      case "segment_complete": {
        const segment = requireField(fields, "segment_path");
        const cwd = fields.get("cwd");
        const duration = Number.parseFloat(fields.get("segment_duration") ?? "");
        const outcome = await ctx.publishes.recorded({
          ...input,
          path: cwd ? resolve(cwd, segment) : segment,
          durationSeconds: Number.isFinite(duration) && duration >= 0 ? duration : null,
        });
        return sendJson(res, 200, { code: 0, ...outcome });
      }
      default:
        throw new HookInputError(
          `unknown MediaMTX action ${JSON.stringify(action.slice(0, 32))}: ready, not_ready or segment_complete`,
        );
    }
  };

  const auth: RouteHandler = async (req, res) => {
    // The hook URL's query counts too (`&domain=…`), as for the event hooks.
    const fields = fieldsOf(await readHookRequest(req, ctx.config.maxRequestBytes));
    const action = requireField(fields, "action");
    if (action === "read" || action === "playback") return sendJson(res, 200, { code: 0 });
    // OnAir has no say over MediaMTX's API, metrics or pprof: refuse rather than open them.
    if (action !== "publish") {
      return sendError(
        res,
        new OnAirError("ONAIR_ERR_HOOK_ACTION_REFUSED", `OnAir does not authorise ${action}`),
      );
    }
    const path = requireField(fields, "path").replace(/^\/+/, "");
    const clientIp = fields.get("ip") ?? "";
    const verdict = await checkPublish(ctx, {
      source: "mediamtx",
      target: targetOf(ctx, fields, path, fields.get("query") ?? ""),
      clientIp,
      node: "",
      peerClientId: fields.get("id") || null,
    });
    if (!verdict.ok) return sendJson(res, 403, refusalBody(verdict));
    if (addresses.size >= MAX_PENDING_ADDRESSES) addresses.clear();
    addresses.set(path, clientIp);
    return sendJson(res, 200, { code: 0 });
  };

  return { events, auth };
}

import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { streamKeyText } from "../domain/stream-key.js";
import type { Store } from "../store/store.js";
import { decidePublish, type PublishVerdict } from "../streams/decide-publish.js";
import type { HookPublishes, HookPublishInput, HookSource } from "./hook-publishes.js";
import { type HookRequest, requireField } from "./hook-request.js";
import { resolveTarget, targetKey } from "./hook-target.js";

/** What every adapter works with. */
export interface HookContext {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  publishes: HookPublishes;
}

/** Where a media server puts each fact of a publish in its hook body. */
export interface HookFieldNames {
  app: string;
  tcUrl: string;
  streamName: string;
  clientIp: string;
  peerClientId: string;
}

/**
 * The publish a nginx-rtmp or SRS hook is about: its stream by the ingest's rules, with the hook
 * URL's `?domain=` (else config `ingest.defaultDomain`) for publishers that connected by IP.
 */
export function hookedPublish(
  ctx: HookContext,
  hook: HookRequest,
  source: HookSource,
  names: HookFieldNames,
  stream: { streamParam: string; domain?: string | undefined },
): HookPublishInput {
  const target = resolveTarget({
    app: requireField(hook.fields, names.app),
    tcUrl: hook.fields.get(names.tcUrl) ?? "",
    streamName: requireField(hook.fields, names.streamName),
    ...stream,
    defaultDomain: hook.urlQuery.get("domain") ?? ctx.config.ingest.defaultDomain ?? null,
  });
  return {
    source,
    target,
    clientIp: hook.fields.get(names.clientIp) ?? "",
    node: hook.peerAddress,
    peerClientId: hook.fields.get(names.peerClientId) ?? null,
  };
}

/**
 * Decides a publish the media server asks about and, when allowed, starts it (push event). A
 * push that cannot be committed is logged and the publish still allowed, as the RTMP ingest does:
 * the store being down must not take live streams down with it.
 */
export async function admitPublish(
  ctx: HookContext,
  input: HookPublishInput,
): Promise<PublishVerdict> {
  const verdict = await checkPublish(ctx, input);
  if (!verdict.ok) return verdict;
  await ctx.publishes.started(input).catch((err: unknown) => {
    ctx.logger.error({ err, source: input.source }, "could not commit a hooked push event");
  });
  return verdict;
}

/** The admission decision alone, with refusals logged. */
export async function checkPublish(
  ctx: HookContext,
  input: HookPublishInput,
): Promise<PublishVerdict> {
  const key = targetKey(input.target);
  const verdict = await decidePublish(
    ctx,
    key,
    input.target.streamParam,
    // The media server authenticated with the hook token; its publishers are its own.
    { local: true },
  );
  if (!verdict.ok) {
    ctx.logger.warn(
      {
        stream: streamKeyText(key),
        source: input.source,
        clientIp: input.clientIp,
        reason: verdict.reason,
      },
      "hooked publish refused",
    );
  }
  return verdict;
}

/** The reply body of a refusal, for logs of the media server. */
export function refusalBody(verdict: Exclude<PublishVerdict, { ok: true }>) {
  return {
    code: verdict.errcode,
    sub_errcode: verdict.subErrcode,
    msg: `${verdict.reason} (errcode ${verdict.errcode}${verdict.subErrcode === null ? "" : `, sub_errcode ${verdict.subErrcode}`})`,
  };
}

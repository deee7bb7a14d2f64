import { checkPushAuth, Errcode } from "@onair/callbacks";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { StreamKey } from "../domain/stream-key.js";
import type { Store } from "../store/store.js";

/**
 * Why a publish may not start, with Tencent's errcode (18 refused) and sub_errcode. An accepted
 * publish says whether it proved the push key of an added domain (`authenticated`): only such a
 * publisher may replace a live one (see `mayReplace`).
 */
export type PublishVerdict =
  | { ok: true; authenticated: boolean }
  | { ok: false; errcode: typeof Errcode.Refused; subErrcode: number | null; reason: string };

/** Where the publisher comes from, for `ingest.allowUnregisteredDomains: "loopback"`. */
export interface PublishOrigin {
  /**
   * The publisher is on this machine: an RTMP client on a loopback address, or a publish a
   * media server reports through a hook it authenticated with the hook token (its publishers are
   * its own business, as are its own duplicate rules).
   */
  local: boolean;
}

/**
 * Who may publish, for the RTMP ingest (stream-service.ts) and the media-server hooks alike:
 * the push domain must be added unless `ingest.allowUnregisteredDomains` allows it (`true`, or
 * `"loopback"`, the default, for a local publisher), must be a push domain not stopped by
 * ForbidLiveDomain,
 * must pass Tencent push auth with its main or backup key (AuthDelta applied) when enabled, and
 * the stream must not be forbidden. The ingest adds its third-party hook and duplicate check;
 * hooked media servers have their own and own their publishers.
 */
export async function decidePublish(
  deps: { store: Store; config: OnAirConfig; clock: Clock },
  key: StreamKey,
  streamParam: string,
  origin: PublishOrigin,
): Promise<PublishVerdict> {
  const now = deps.clock.now();
  const domain = await deps.store.domains.get(key.domainName);
  let authenticated = false;
  if (!domain) {
    const allow = deps.config.ingest.allowUnregisteredDomains;
    if (allow === false) return refuse(null, `push domain ${key.domainName} is not added`);
    if (allow === "loopback" && !origin.local) {
      return refuse(
        null,
        `push domain ${key.domainName} is not added (unregistered domains are accepted from loopback only)`,
      );
    }
  } else if (domain.type !== 0) {
    return refuse(null, `${key.domainName} is a play domain`);
  } else if (domain.status === 0) {
    // Tencent 18/303 (推流域名被禁用): the domain was stopped with ForbidLiveDomain.
    return refuse(303, `push domain ${key.domainName} is disabled (ForbidLiveDomain)`);
  } else if (domain.pushAuth.enabled) {
    const auth = checkPushAuth({
      streamName: key.streamName,
      query: streamParam,
      mainKey: domain.pushAuth.mainKey,
      backupKey: domain.pushAuth.backupKey,
      nowSeconds: Math.floor(now.getTime() / 1000) - domain.pushAuth.authDeltaSeconds,
    });
    if (!auth.ok) return refuse(auth.subErrcode, `push authentication failed: ${auth.reason}`);
    authenticated = true;
  }
  if (await deps.store.streams.forbidden(key, now)) {
    return refuse(305, "the stream is forbidden");
  }
  return { ok: true, authenticated };
}

/**
 * Whether an accepted publisher may take a stream that is already live (Tencent 21/102) under
 * `ingest.duplicatePublish`: `"replace-authenticated"` (the default) lets only a publisher that
 * proved the domain's push key replace, so an anonymous client cannot kick a live encoder off;
 * `"replace"` lets anyone; `"reject"` no one (18/601, like nginx-rtmp and SRS).
 */
export function mayReplace(
  policy: OnAirConfig["ingest"]["duplicatePublish"],
  verdict: { authenticated: boolean },
): boolean {
  if (policy === "replace") return true;
  if (policy === "reject") return false;
  return verdict.authenticated;
}

/** Shared with play decisions (playback/decide-play.ts). */
export { isLoopbackAddress } from "../domain/address-policy.js";

function refuse(subErrcode: number | null, reason: string): PublishVerdict {
  return { ok: false, errcode: Errcode.Refused, subErrcode, reason };
}

import { checkPushAuth } from "@onair/callbacks";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";
import type { StreamKey } from "../store/stream-repository.js";

/** Why a hooked publish may not start, with Tencent's errcode (18 refused) and sub_errcode. */
export type PublishVerdict =
  | { ok: true }
  | { ok: false; errcode: 18; subErrcode: number | null; reason: string };

/**
 * Who may publish, for the RTMP ingest (stream-service.ts) and the media-server hooks alike:
 * the push domain must be added unless `ingest.allowUnregisteredDomains`, must be a push domain,
 * must pass Tencent push auth with its main or backup key (AuthDelta applied) when enabled, and
 * the stream must not be forbidden. The ingest adds its third-party hook and duplicate check;
 * hooked media servers have their own and own their publishers.
 */
export async function decidePublish(
  deps: { store: Store; config: OnAirConfig; clock: Clock },
  key: StreamKey,
  streamParam: string,
): Promise<PublishVerdict> {
  const now = deps.clock.now();
  const domain = await deps.store.domains.get(key.domainName);
  if (!domain) {
    if (!deps.config.ingest.allowUnregisteredDomains) {
      return refuse(null, `push domain ${key.domainName} is not added`);
    }
  } else if (domain.type !== 0) {
    return refuse(null, `${key.domainName} is a play domain`);
  } else if (domain.pushAuth.enabled) {
    const auth = checkPushAuth({
      streamName: key.streamName,
      query: streamParam,
      mainKey: domain.pushAuth.mainKey,
      backupKey: domain.pushAuth.backupKey,
      nowSeconds: Math.floor(now.getTime() / 1000) - domain.pushAuth.authDeltaSeconds,
    });
    if (!auth.ok) return refuse(auth.subErrcode, `push authentication failed: ${auth.reason}`);
  }
  if (await deps.store.streams.forbidden(key, now)) {
    return refuse(305, "the stream is forbidden");
  }
  return { ok: true };
}

function refuse(subErrcode: number | null, reason: string): PublishVerdict {
  return { ok: false, errcode: 18, subErrcode, reason };
}

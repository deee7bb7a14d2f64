import { checkPushAuth } from "@onair/callbacks";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";
import type { PlayTarget } from "./play-target.js";

export type PlayVerdict = { ok: true; authenticated: boolean } | { ok: false; reason: string };

/**
 * Who may play (docs/playback.md): the play domain must be added as a play domain (DomainType
 * 1) unless `playback.allowUnregisteredDomains` allows it (`true`, or `"loopback"`, the default,
 * for a viewer on this machine); a push domain is never played. When the play domain has play
 * authentication enabled, the URL must carry `txSecret = MD5(KEY + StreamName + txTime)` for
 * its main or backup key with `txTime` (hex Unix seconds) not past, AuthDelta seconds allowed
 * (Tencent 267/31560), exactly as push authentication.
 */
export async function decidePlay(
  deps: { store: Store; config: OnAirConfig; clock: Clock },
  target: PlayTarget,
  query: string,
  origin: { local: boolean },
): Promise<PlayVerdict> {
  const domain = await deps.store.domains.get(target.domain);
  if (!domain) {
    const allow = deps.config.playback.allowUnregisteredDomains;
    if (allow === false) return refuse(`play domain ${target.domain} is not added`);
    if (allow === "loopback" && !origin.local) {
      return refuse(
        `play domain ${target.domain} is not added (unregistered domains play to loopback viewers only)`,
      );
    }
    return { ok: true, authenticated: false };
  }
  if (domain.type !== 1) return refuse(`${target.domain} is a push domain, not a play domain`);
  const auth = domain.playAuth;
  if (!auth.enabled) return { ok: true, authenticated: false };
  const result = checkPushAuth({
    streamName: target.streamName,
    query,
    mainKey: auth.mainKey,
    backupKey: auth.backupKey,
    nowSeconds: Math.floor(deps.clock.now().getTime() / 1000) - auth.authDeltaSeconds,
  });
  if (!result.ok) return refuse(`play authentication failed: ${result.reason}`);
  return { ok: true, authenticated: true };
}

function refuse(reason: string): PlayVerdict {
  return { ok: false, reason };
}

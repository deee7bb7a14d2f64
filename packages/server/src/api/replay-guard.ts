import { OnAirError } from "../errors.js";

/**
 * Remembers the TC3 signatures this node accepted until their X-TC-Timestamp leaves the skew
 * window, so a captured request cannot be sent again, nor sent again as another action.
 *
 * Why a signature may be seen twice at all: tencentcloud-sdk-nodejs 4.x signs only
 * `content-type;host` (its `Sign.sign3`) with a timestamp in whole seconds, so any two of its
 * calls with the same body in the same second carry the same signature, whatever their action:
 * `DescribeLiveCallbackTemplate({TemplateId})` then `DeleteLiveCallbackTemplate({TemplateId})`,
 * a write retried at once, parallel `Describe*({})` calls. Such a collision looks exactly like
 * an action swap, so a signature seen before is accepted again only
 *  - from the client address that used it first, and
 *  - within `graceMs` of that first use (the same client sending in the same second).
 * Any other reuse is refused: a captured request sent from elsewhere, or later, as the same
 * action (a replay) or another one (a swap: a captured AddLiveDomain resent as
 * DeleteLiveDomain). A signer that covers `x-tc-action` (Tencent's newer samples;
 * `api.requireSignedAction` enforces it) makes swaps impossible outright.
 *
 * The table is bounded: only requests with a valid signature enter it (an unsigned caller cannot
 * fill it), expired entries are dropped first, and when it is still full new requests are
 * refused (RequestLimitExceeded) rather than forgetting a signature that could then be replayed.
 * It is per node: behind a load balancer with several nodes a replay to another node within the
 * window is not caught (docs/security.md).
 *
 * @example
 * const guard = createReplayGuard({ maxEntries: 100_000, graceMs: 2000 });
 * guard.admit({ key, clientIp: "10.0.0.5", expiresAtMs, nowMs }); // ok
 * guard.admit({ key, clientIp: "10.0.0.9", expiresAtMs, nowMs }); // throws ONAIR_ERR_AUTH_REPLAY
 */
export interface ReplayGuard {
  /** Records one verified request, or throws ONAIR_ERR_AUTH_REPLAY / ONAIR_ERR_LIMIT_EXCEEDED. */
  admit(input: { key: string; clientIp: string; expiresAtMs: number; nowMs: number }): void;
  /** Signatures remembered now. */
  size(): number;
}

interface Seen {
  expiresAtMs: number;
  firstSeenMs: number;
  clientIp: string;
}

export function createReplayGuard(options: { maxEntries: number; graceMs: number }): ReplayGuard {
  const seen = new Map<string, Seen>();
  const sweep = (nowMs: number) => {
    for (const [key, entry] of seen) if (entry.expiresAtMs <= nowMs) seen.delete(key);
  };
  return {
    admit({ key, clientIp, expiresAtMs, nowMs }) {
      const entry = seen.get(key);
      if (entry !== undefined && entry.expiresAtMs > nowMs) {
        if (entry.clientIp === clientIp && nowMs - entry.firstSeenMs <= options.graceMs) return;
        throw new OnAirError(
          "ONAIR_ERR_AUTH_REPLAY",
          "this signature was already used by an earlier request (a replay, or a request resent as another action); sign each request afresh",
        );
      }
      // Entries expire in roughly insertion order: drop the expired head cheaply, sweep all when full.
      for (const [oldKey, old] of seen) {
        if (old.expiresAtMs > nowMs) break;
        seen.delete(oldKey);
      }
      if (seen.size >= options.maxEntries) sweep(nowMs);
      if (seen.size >= options.maxEntries) {
        throw new OnAirError(
          "ONAIR_ERR_LIMIT_EXCEEDED",
          `more than ${options.maxEntries} signed requests within the signature window; slow down`,
          { tencentCode: "RequestLimitExceeded" },
        );
      }
      seen.delete(key);
      seen.set(key, { expiresAtMs, firstSeenMs: nowMs, clientIp });
    },
    size: () => seen.size,
  };
}

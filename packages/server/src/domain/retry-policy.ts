import type { RetryPolicy } from "./types.js";

/** The "seeds" preset, OnAir's default: 20 s timeout, retry after 60 s, 3 retries. */
export const SEEDS_RETRY_POLICY = Object.freeze({
  maxRetries: 3,
  intervalMs: 60_000,
  timeoutMs: 20_000,
  jitter: 0,
});

/** Tencent's policy since 2021-11: 12 retries a minute apart (screenshots: 5, two minutes apart). */
export const TENCENT_2021_RETRY_POLICY = Object.freeze({
  maxRetries: 12,
  intervalMs: 60_000,
  timeoutMs: 20_000,
  jitter: 0,
});
export const TENCENT_2021_SNAPSHOT_RETRY_POLICY = Object.freeze({
  maxRetries: 5,
  intervalMs: 120_000,
  timeoutMs: 20_000,
  jitter: 0,
});

/** The server-wide policy for an event type, from the configured preset. */
export function presetPolicy(preset: "seeds" | "tencent-2021", eventType: number): RetryPolicy {
  if (preset === "seeds") return { ...SEEDS_RETRY_POLICY };
  return {
    ...(eventType === 200 ? TENCENT_2021_SNAPSHOT_RETRY_POLICY : TENCENT_2021_RETRY_POLICY),
  };
}

/**
 * What follows a failed attempt: "dead" once `attemptsMade` exceeds the retries, else the time of
 * the next attempt — the interval plus jitter, or the receiver's `Retry-After` when it asked for
 * longer (capped).
 */
export function afterFailure(input: {
  policy: RetryPolicy;
  attemptsMade: number;
  now: Date;
  random: () => number;
  retryAfterMs?: number | undefined;
  maxRetryAfterMs: number;
}): Date | "dead" {
  if (input.attemptsMade > input.policy.maxRetries) return "dead";
  const jitter = input.policy.jitter * input.policy.intervalMs * input.random();
  let wait = input.policy.intervalMs + jitter;
  if (input.retryAfterMs !== undefined)
    wait = Math.max(wait, Math.min(input.retryAfterMs, input.maxRetryAfterMs));
  return new Date(input.now.getTime() + Math.round(wait));
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

import { EventType } from "@onair/callbacks";
import type { RetryPolicy } from "./types.js";

/**
 * The schedule Tencent's international callback page documents (Tencent intl 267/38080): a 20 s
 * timeout, then 3 retries 60 s apart. OnAir's default.
 */
export const TENCENT_INTL_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  intervalMs: 60_000,
  timeoutMs: 20_000,
  jitter: 0,
});

/**
 * Tencent's schedule since 2021-11 (Tencent 267/32744): 12 retries a minute apart; screenshots
 * 5, two minutes apart.
 */
export const TENCENT_2021_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 12,
  intervalMs: 60_000,
  timeoutMs: 20_000,
  jitter: 0,
});
export const TENCENT_2021_SNAPSHOT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 5,
  intervalMs: 120_000,
  timeoutMs: 20_000,
  jitter: 0,
});

/** The server-wide presets (config `retryPreset`). */
export const RETRY_PRESETS = ["tencent-intl", "tencent-2021"] as const;
export type RetryPreset = (typeof RETRY_PRESETS)[number];

/** Old preset names that still work (`seeds` was `tencent-intl`'s first name). */
export const DEPRECATED_RETRY_PRESETS = ["seeds"] as const;
export type DeprecatedRetryPreset = (typeof DEPRECATED_RETRY_PRESETS)[number];

export function isDeprecatedRetryPreset(name: unknown): name is DeprecatedRetryPreset {
  return (DEPRECATED_RETRY_PRESETS as readonly unknown[]).includes(name);
}

/** The current name of a preset, given its current or its deprecated name. */
export function currentRetryPreset<P extends string>(
  name: P,
): Exclude<P, DeprecatedRetryPreset> | "tencent-intl" {
  return isDeprecatedRetryPreset(name)
    ? "tencent-intl"
    : (name as Exclude<P, DeprecatedRetryPreset>);
}

/** The server-wide policy for an event type, from the configured preset. */
export function presetPolicy(preset: RetryPreset, eventType: number): RetryPolicy {
  if (preset === "tencent-intl") return { ...TENCENT_INTL_RETRY_POLICY };
  return {
    ...(eventType === EventType.Snapshot
      ? TENCENT_2021_SNAPSHOT_RETRY_POLICY
      : TENCENT_2021_RETRY_POLICY),
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

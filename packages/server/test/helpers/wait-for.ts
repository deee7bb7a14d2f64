import { setTimeout as delay } from "node:timers/promises";

export interface WaitForOptions {
  /** How long to keep polling before failing (default 15 s). */
  timeoutMs?: number;
  /** Pause between two polls (default 20 ms). */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns a truthy value and returns that value. Fails after
 * `timeoutMs` with "waited N ms for <what>", so a hung test names the condition it awaited
 * instead of sleeping a fixed time and hoping. `what` may be a function, to describe the last
 * state seen.
 */
export async function waitFor<T>(
  what: string | (() => string),
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 20 }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) {
      const description = typeof what === "function" ? what() : what;
      throw new Error(`waited ${timeoutMs} ms for ${description}`);
    }
    await delay(intervalMs);
  }
}

/**
 * A deliberate wait during which the test expects NOTHING to happen (no callback, no retry,
 * no error logged). Not for waiting on a condition: use waitFor for that.
 */
export function quietPeriod(ms: number): Promise<void> {
  return delay(ms);
}

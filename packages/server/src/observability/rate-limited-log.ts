import type { Logger } from "pino";

/**
 * A log line that repeats at most once per `intervalMs`, carrying how many times it was
 * suppressed since the last one: a failure that hits every request (disk full) logs a line a
 * minute, not a stack per request.
 *
 * @example
 * const logFull = rateLimitedLog(logger, "warn", "intake: storage full, answered 503", 60_000);
 * logFull({ code: "SQLITE_FULL" });
 */
export function rateLimitedLog(
  logger: Logger,
  level: "warn" | "error",
  message: string,
  intervalMs: number,
  now: () => number = Date.now,
): (fields?: Record<string, unknown>) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (fields = {}) => {
    if (now() - lastAt < intervalMs) {
      suppressed++;
      return;
    }
    logger[level]({ ...fields, suppressedSinceLast: suppressed }, message);
    lastAt = now();
    suppressed = 0;
  };
}

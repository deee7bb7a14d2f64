import type { Logger } from "pino";

/** While an endpoint keeps failing, one reminder line every this many failures. */
export const FAILURES_PER_REMINDER = 100;
/** Failing endpoints remembered at most; past it, new ones are logged at every state change. */
const MAX_TRACKED = 10_000;

/** One failed attempt as the failure log needs it. */
export interface FailedAttempt {
  url: string;
  deliveryId: string;
  /** The error class (`connect_refused`, `timeout`, `http_status`, …). */
  errorCode: string;
  errorMessage: string | null;
  statusCode: number | null;
  /** When the delivery is tried again; null when it is dead. */
  nextAttemptAt: Date | null;
}

/**
 * Failed deliveries in the log without flooding it (issue 14): one `warn` line when an endpoint
 * starts failing, with the error class and the next attempt's time; one every
 * FAILURES_PER_REMINDER failures after that; one `info` line when it answers 200 again. A
 * thousand deliveries to a dead receiver cost a handful of lines, and none is silent.
 */
export function createFailureLog(logger: Logger): {
  failed(attempt: FailedAttempt): void;
  succeeded(url: string): void;
} {
  const failing = new Map<string, { failures: number; since: Date }>();
  return {
    failed(a) {
      const known = failing.get(a.url);
      const fields = {
        url: a.url,
        deliveryId: a.deliveryId,
        error: a.errorCode,
        status: a.statusCode,
        detail: a.errorMessage,
        nextAttemptAt: a.nextAttemptAt?.toISOString() ?? null,
      };
      if (!known) {
        if (failing.size < MAX_TRACKED) failing.set(a.url, { failures: 1, since: new Date() });
        logger.warn(
          fields,
          `callback endpoint failing (${a.errorCode}): ${a.nextAttemptAt ? `next attempt at ${a.nextAttemptAt.toISOString()}` : "delivery dead"}`,
        );
        return;
      }
      known.failures++;
      if (known.failures % FAILURES_PER_REMINDER === 0) {
        logger.warn(
          { ...fields, failures: known.failures, failingSince: known.since.toISOString() },
          `callback endpoint still failing (${a.errorCode}): ${known.failures} failed attempts`,
        );
      }
    },
    succeeded(url) {
      const known = failing.get(url);
      if (!known) return;
      failing.delete(url);
      logger.info(
        { url, failures: known.failures, failingSince: known.since.toISOString() },
        `callback endpoint answers again after ${known.failures} failed attempts`,
      );
    },
  };
}

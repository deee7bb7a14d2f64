/**
 * A value read at most once per `maxAgeMs`, however many callers ask: concurrent callers share
 * the one read in flight, later ones get the cached result until it ages out. A failed read is
 * not cached (the next caller retries), but callers that shared it all see the error.
 *
 * @example
 * const gauges = cachedSingleFlight(() => store.deliveries.queueGauges(new Date()), 10_000);
 * await gauges(); // one query per 10 s, whatever the scrape rate
 */
export function cachedSingleFlight<T>(
  read: () => Promise<T>,
  maxAgeMs: number,
  now: () => number = Date.now,
): () => Promise<T> {
  let cached: { value: T; at: number } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (cached && now() - cached.at < maxAgeMs) return Promise.resolve(cached.value);
    inFlight ??= read()
      .then((value) => {
        cached = { value, at: now() };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/** What is counted per stream and per play domain, since the node started. */
export interface ViewerCounters {
  /** Viewers connected now. */
  online: number;
  /** Accepted play requests. */
  requests: number;
  /** Bytes sent to viewers. */
  bytes: number;
}

/** Streams and domains remembered at most; the first ones without viewers are forgotten first. */
const MAX_ENTRIES = 10_000;

/**
 * The node's viewer statistics, measured on the connections: online viewers, play requests and
 * bytes sent, per stream (`AppName/StreamName`, whatever push domain it came in on) and per play
 * domain, and viewers dropped for falling behind. Kept in memory; `/metrics` reads them.
 */
export class ViewerStats {
  readonly streams = new Map<string, ViewerCounters>();
  readonly domains = new Map<string, ViewerCounters>();
  /** Viewers disconnected because they stayed behind, by protocol. */
  readonly evicted = { rtmp: 0, flv: 0 };
  /** Plays refused, by why. */
  readonly refused = { auth: 0, notFound: 0, badRequest: 0 };

  joined(stream: string, domain: string): void {
    for (const c of this.both(stream, domain)) {
      c.online++;
      c.requests++;
    }
  }

  sent(stream: string, domain: string, bytes: number): void {
    for (const c of this.both(stream, domain)) c.bytes += bytes;
  }

  left(stream: string, domain: string): void {
    for (const c of this.both(stream, domain)) c.online = Math.max(0, c.online - 1);
  }

  private both(stream: string, domain: string): ViewerCounters[] {
    return [entry(this.streams, stream), entry(this.domains, domain)];
  }
}

function entry(map: Map<string, ViewerCounters>, key: string): ViewerCounters {
  let counters = map.get(key);
  if (!counters) {
    if (map.size >= MAX_ENTRIES) forgetIdle(map);
    counters = { online: 0, requests: 0, bytes: 0 };
    map.set(key, counters);
  }
  return counters;
}

/** Frees room: drops the oldest tenth of the entries that have no viewer now. */
function forgetIdle(map: Map<string, ViewerCounters>): void {
  let budget = Math.ceil(MAX_ENTRIES / 10);
  for (const [key, counters] of map) {
    if (budget === 0) return;
    if (counters.online === 0) {
      map.delete(key);
      budget--;
    }
  }
}

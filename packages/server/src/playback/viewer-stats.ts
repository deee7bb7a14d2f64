/** What is counted per stream and per play domain, since the node started. */
export interface ViewerCounters {
  /** Viewers connected now. */
  online: number;
  /** Accepted play requests. */
  requests: number;
  /** Bytes sent to viewers. */
  bytes: number;
}

/** One viewer's identity for the statistics. */
export interface ViewerKey {
  domain: string;
  appName: string;
  streamName: string;
  protocol: "rtmp" | "flv" | "hls";
}

/** One interval's figures of one play domain, stream and protocol (a `play_samples` row). */
export interface IntervalSample extends ViewerKey {
  bytes: number;
  requests: number;
  /** The most viewers connected at once during the interval. */
  online: number;
}

/** Streams and domains remembered at most; the first ones without viewers are forgotten first. */
const MAX_ENTRIES = 10_000;
/** Rows one interval holds at most (one per domain, stream and protocol that had viewers). */
const MAX_ROWS_PER_INTERVAL = 10_000;

/**
 * The node's viewer statistics, measured on the connections: online viewers, play requests and
 * bytes sent, per stream (`AppName/StreamName`, whatever push domain it came in on) and per play
 * domain since start (`/metrics`), the same per sample interval for the store (`drain`, written
 * by the play sampler for the play-info API actions), and viewers dropped for falling behind.
 * Kept in memory, bounded.
 */
export class ViewerStats {
  readonly streams = new Map<string, ViewerCounters>();
  readonly domains = new Map<string, ViewerCounters>();
  /** Viewers disconnected because they stayed behind, by protocol. */
  readonly evicted = { rtmp: 0, flv: 0, hls: 0 };
  /** Plays refused, by why. */
  readonly refused = { auth: 0, notFound: 0, badRequest: 0 };
  /** Row key → the current interval's figures. */
  private interval = new Map<string, IntervalSample>();
  /** Viewers connected now per row key, carried into each new interval. */
  private readonly onlineNow = new Map<string, { key: ViewerKey; online: number }>();
  /** Row keys of the last drain: a key that had viewers then gets a closing row of zero. */
  private drained = new Map<string, ViewerKey>();

  joined(viewer: ViewerKey): void {
    for (const c of this.totals(viewer)) {
      c.online++;
      c.requests++;
    }
    const row = rowKey(viewer);
    const now = this.onlineNow.get(row) ?? { key: viewer, online: 0 };
    now.online++;
    this.onlineNow.set(row, now);
    const sample = this.sample(viewer, row);
    if (sample) {
      sample.requests++;
      sample.online = Math.max(sample.online, now.online);
    }
  }

  sent(viewer: ViewerKey, bytes: number): void {
    for (const c of this.totals(viewer)) c.bytes += bytes;
    const sample = this.sample(viewer, rowKey(viewer));
    if (sample) sample.bytes += bytes;
  }

  left(viewer: ViewerKey): void {
    for (const c of this.totals(viewer)) c.online = Math.max(0, c.online - 1);
    const row = rowKey(viewer);
    const now = this.onlineNow.get(row);
    if (now && --now.online <= 0) this.onlineNow.delete(row);
  }

  /**
   * Ends the current interval: its rows (every key with viewers connected during it, and a row
   * of zeros for a key that had some in the last interval and none now, so the latest sample
   * tells they left), and a new interval that starts with the viewers still connected.
   */
  drain(): IntervalSample[] {
    const rows = this.interval;
    for (const [row, now] of this.onlineNow) {
      if (rows.size >= MAX_ROWS_PER_INTERVAL) break;
      if (!rows.has(row)) rows.set(row, { ...now.key, bytes: 0, requests: 0, online: now.online });
    }
    for (const [row, key] of this.drained) {
      if (rows.size >= MAX_ROWS_PER_INTERVAL) break;
      if (!rows.has(row)) rows.set(row, { ...key, bytes: 0, requests: 0, online: 0 });
    }
    this.interval = new Map();
    this.drained = new Map();
    for (const [row, sample] of rows) if (sample.online > 0) this.drained.set(row, sample);
    return [...rows.values()];
  }

  private totals(viewer: ViewerKey): ViewerCounters[] {
    return [
      entry(this.streams, `${viewer.appName}/${viewer.streamName}`),
      entry(this.domains, viewer.domain),
    ];
  }

  /** The current interval's row of `viewer` (made on first use), null when the interval is full. */
  private sample(viewer: ViewerKey, row: string): IntervalSample | null {
    let sample = this.interval.get(row);
    if (!sample) {
      if (this.interval.size >= MAX_ROWS_PER_INTERVAL) return null;
      sample = {
        ...viewer,
        bytes: 0,
        requests: 0,
        online: this.onlineNow.get(row)?.online ?? 0,
      };
      this.interval.set(row, sample);
    }
    return sample;
  }
}

function rowKey(viewer: ViewerKey): string {
  return `${viewer.domain}\n${viewer.appName}\n${viewer.streamName}\n${viewer.protocol}`;
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

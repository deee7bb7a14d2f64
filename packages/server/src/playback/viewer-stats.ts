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

/** One minute of one play domain, stream and protocol (DescribeStreamPlayInfoList's grain). */
export interface MinuteSample extends ViewerKey {
  bytes: number;
  requests: number;
  /** The most viewers connected at once during the minute. */
  online: number;
}

/** Streams and domains remembered at most; the first ones without viewers are forgotten first. */
const MAX_ENTRIES = 10_000;
/** Minutes kept for the API: a day, the longest span DescribeStreamPlayInfoList asks for. */
const MAX_MINUTES = 24 * 60;
/** Rows one minute holds at most (one per domain, stream and protocol that had viewers). */
const MAX_ROWS_PER_MINUTE = 10_000;
const MINUTE_MS = 60_000;

/**
 * The node's viewer statistics, measured on the connections: online viewers, play requests and
 * bytes sent, per stream (`AppName/StreamName`, whatever push domain it came in on) and per play
 * domain since start (`/metrics`), the same per minute for the last day (the play-info API
 * actions), and viewers dropped for falling behind. Kept in memory, bounded.
 */
export class ViewerStats {
  readonly streams = new Map<string, ViewerCounters>();
  readonly domains = new Map<string, ViewerCounters>();
  /** Viewers disconnected because they stayed behind, by protocol. */
  readonly evicted = { rtmp: 0, flv: 0, hls: 0 };
  /** Plays refused, by why. */
  readonly refused = { auth: 0, notFound: 0, badRequest: 0 };
  /** Minute start (epoch ms) → row key → sample, oldest first. */
  private readonly minutes = new Map<number, Map<string, MinuteSample>>();
  /** Viewers connected now per row key, carried into each new minute. */
  private readonly onlineNow = new Map<string, { key: ViewerKey; online: number }>();

  constructor(private readonly nowMs: () => number) {}

  joined(viewer: ViewerKey): void {
    for (const c of this.totals(viewer)) {
      c.online++;
      c.requests++;
    }
    const row = rowKey(viewer);
    const now = this.onlineNow.get(row) ?? { key: viewer, online: 0 };
    now.online++;
    this.onlineNow.set(row, now);
    const sample = this.sample(viewer);
    if (sample) {
      sample.requests++;
      sample.online = Math.max(sample.online, now.online);
    }
  }

  sent(viewer: ViewerKey, bytes: number): void {
    for (const c of this.totals(viewer)) c.bytes += bytes;
    const sample = this.sample(viewer);
    if (sample) sample.bytes += bytes;
  }

  left(viewer: ViewerKey): void {
    for (const c of this.totals(viewer)) c.online = Math.max(0, c.online - 1);
    const row = rowKey(viewer);
    const now = this.onlineNow.get(row);
    if (now && --now.online <= 0) this.onlineNow.delete(row);
  }

  /** The samples of the minutes starting in [fromMs, toMs], by minute start. */
  samples(fromMs: number, toMs: number): Map<number, MinuteSample[]> {
    this.sample(null);
    const out = new Map<number, MinuteSample[]>();
    for (const [minute, rows] of this.minutes) {
      if (minute >= fromMs && minute <= toMs) out.set(minute, [...rows.values()]);
    }
    return out;
  }

  private totals(viewer: ViewerKey): ViewerCounters[] {
    return [
      entry(this.streams, `${viewer.appName}/${viewer.streamName}`),
      entry(this.domains, viewer.domain),
    ];
  }

  /**
   * The current minute's sample of `viewer` (made on first use), after opening the minutes
   * since the last one: each starts with the viewers still connected, so a minute without
   * events still counts who watched through it.
   */
  private sample(viewer: ViewerKey | null): MinuteSample | null {
    // Called per tag and viewer: the common case is one division and one map lookup.
    const minute = Math.floor(this.nowMs() / MINUTE_MS) * MINUTE_MS;
    if (this.current === null || this.currentMinute < minute) this.openMinutes(minute);
    if (!viewer) return null;
    const rows = this.current as Map<string, MinuteSample>;
    const row = rowKey(viewer);
    let sample = rows.get(row);
    if (!sample) {
      if (rows.size >= MAX_ROWS_PER_MINUTE) return null;
      sample = { ...viewer, bytes: 0, requests: 0, online: this.onlineNow.get(row)?.online ?? 0 };
      rows.set(row, sample);
    }
    return sample;
  }

  private current: Map<string, MinuteSample> | null = null;
  private currentMinute = 0;

  private openMinutes(minute: number): void {
    const from =
      this.current === null
        ? minute
        : Math.max(this.currentMinute + MINUTE_MS, minute - MAX_MINUTES * MINUTE_MS);
    for (let m = from; m <= minute; m += MINUTE_MS) {
      const rows = new Map<string, MinuteSample>();
      for (const [row, now] of this.onlineNow)
        rows.set(row, { ...now.key, bytes: 0, requests: 0, online: now.online });
      this.minutes.set(m, rows);
      this.current = rows;
    }
    this.currentMinute = minute;
    while (this.minutes.size > MAX_MINUTES) {
      this.minutes.delete(this.minutes.keys().next().value as number);
    }
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

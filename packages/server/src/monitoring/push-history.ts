import type { PushFigures } from "./push-stats.js";

/** One sample of one publish: its figures at `atMs`. */
export interface PushSample {
  atMs: number;
  figures: PushFigures;
  /** Bytes received since the publish's previous sample (since its start for the first). */
  intervalBytes: number;
}

/**
 * The per-minute samples `DescribeStreamPushInfoList` answers from (Tencent 267/20387), in
 * memory: for each stream name, the samples of the last `windowMs`, for at most `maxStreams`
 * streams (the one sampled longest ago is forgotten first). Bounded both ways, so a node that
 * sees many short publishes holds at most maxStreams × window / interval samples. Lost on
 * restart (docs/monitoring.md).
 */
export class PushHistory {
  private readonly byStream = new Map<string, PushSample[]>();

  constructor(private readonly options: { windowMs: number; maxStreams: number }) {}

  add(atMs: number, figures: PushFigures): void {
    const name = figures.streamName;
    const list = this.byStream.get(name) ?? [];
    const previous = list.at(-1);
    const sample: PushSample = {
      atMs,
      figures,
      intervalBytes:
        previous?.figures.sequence === figures.sequence
          ? figures.bytesIn - previous.figures.bytesIn
          : figures.bytesIn,
    };
    // Re-inserting keeps the map in order of the latest sample: the first key is the stalest.
    this.byStream.delete(name);
    list.push(sample);
    this.prune(list, sample.atMs);
    this.byStream.set(name, list);
    while (this.byStream.size > this.options.maxStreams) {
      const stalest = this.byStream.keys().next().value;
      if (stalest === undefined) break;
      this.byStream.delete(stalest);
    }
  }

  /** The samples of `streamName` in [fromMs, toMs], oldest first, optionally of one domain/app. */
  query(q: {
    streamName: string;
    fromMs: number;
    toMs: number;
    nowMs: number;
    domainName?: string | undefined;
    appName?: string | undefined;
  }): PushSample[] {
    const list = this.byStream.get(q.streamName);
    if (!list) return [];
    this.prune(list, q.nowMs);
    return list.filter(
      (s) =>
        s.atMs >= q.fromMs &&
        s.atMs <= q.toMs &&
        (q.domainName === undefined || s.figures.domainName === q.domainName) &&
        (q.appName === undefined || s.figures.appName === q.appName),
    );
  }

  private prune(list: PushSample[], nowMs: number): void {
    const cutoff = nowMs - this.options.windowMs;
    let drop = 0;
    while (drop < list.length && (list[drop] as PushSample).atMs < cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
  }
}

import { buildPushExceptionEvent } from "@onair/callbacks";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { streamKeyText } from "../domain/stream-key.js";
import type { EventInput } from "../events/event-committer.js";
import type { PublishedStream } from "../media/published-stream.js";
import type { NodeEvents } from "../observability/node-events.js";
import { PushAnomalyDetector } from "./push-anomalies.js";
import { PushHistory, type PushSample } from "./push-history.js";
import { type PushFigures, StreamPushStats } from "./push-stats.js";

export type { PushSample } from "./push-history.js";
export type { PushFigures } from "./push-stats.js";

/** What the push-info actions, the dashboard and /metrics read (docs/monitoring.md). */
export interface PushInfoSource {
  /** This node's live publishes, as measured now. */
  live(): PushFigures[];
  /** Samples of one stream name kept for DescribeStreamPushInfoList. */
  history(q: {
    streamName: string;
    fromMs: number;
    toMs: number;
    domainName?: string | undefined;
    appName?: string | undefined;
  }): PushSample[];
}

/** Tencent's fixed thresholds (267/53310): a 1 s timestamp jump, a chunk size above 8192. */
const JUMP_MS = 1000;
const MAX_CHUNK_SIZE = 8192;
/** Details per abnormal type and report: enough to see the pattern, bounded for the body. */
const MAX_DETAILS = 20;

interface Watched {
  stream: PublishedStream;
  stats: StreamPushStats;
  anomalies: PushAnomalyDetector;
  /** No report before this: the publish's push callback (1) is committed first (`pushed`). */
  pushed: boolean;
  ended: boolean;
}

/**
 * Push monitoring: on every "publish.started" it subscribes to the stream's tags with a
 * `StreamPushStats` (the figures) and a `PushAnomalyDetector` (event 321); every
 * `historySampleMs` it keeps each live stream's figures in the `PushHistory`, and every
 * `pushExceptionIntervalMs` it commits one 321 per stream that had anything abnormal (a publish's
 * first once its push callback is committed, its last after it ended), built by @onair/callbacks,
 * through the event committer, tied to the publish so the dispatcher sends it after the push.
 */
export function createPushMonitor(deps: {
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  events: NodeEvents;
  commit: (input: EventInput) => Promise<unknown>;
}): PushInfoSource & { stop(): Promise<void> } {
  const settings = deps.config.monitoring;
  const now = () => deps.clock.now().getTime();
  const watched = new Map<string, Watched>();
  /** Publishes whose 321s are still to come: the live ones and the ended ones not yet reported. */
  const reporting = new Set<Watched>();
  const history = new PushHistory({
    windowMs: settings.historyWindowMs,
    maxStreams: settings.historyMaxStreams,
  });
  const pending = new Set<Promise<void>>();

  function report(w: Watched): void {
    const abnormal = w.anomalies.take();
    if (abnormal.length === 0) return;
    const s = w.stream;
    const committed = deps
      .commit({
        body: buildPushExceptionEvent({
          appid: deps.config.appid,
          domain: s.key.domainName,
          path: s.key.appName,
          stream_id: s.key.streamName,
          sequence: s.sequence,
          stream_param: s.streamParam,
          user_ip: s.clientIp,
          dataTimeMs: now(),
          reportIntervalMs: settings.pushExceptionIntervalMs,
          abnormal,
        }),
        domainName: s.key.domainName,
        appName: s.key.appName,
        streamId: s.key.streamName,
        source: "ingest",
        publishSequence: s.sequence,
      })
      .then(
        () => undefined,
        (err: unknown) =>
          deps.logger.error({ err, stream: streamKeyText(s.key) }, "push exception not committed"),
      )
      .finally(() => pending.delete(committed));
    pending.add(committed);
  }

  function attach(stream: PublishedStream): void {
    const text = streamKeyText(stream.key);
    const stats = new StreamPushStats(stream, { windowMs: settings.rateWindowMs, now });
    const anomalies = new PushAnomalyDetector({
      jumpMs: JUMP_MS,
      frameGapMs: settings.frameGapMs,
      maxChunkSize: MAX_CHUNK_SIZE,
      maxDetails: MAX_DETAILS,
      now,
      chunkSize: () => stream.peerChunkSize,
    });
    const entry: Watched = {
      stream,
      stats,
      anomalies,
      pushed: false,
      ended: false,
    };
    // The push waits for the picture size (up to ingest.pushEventWaitMs); its 321s wait for it.
    void stream.pushed.then(() => {
      entry.pushed = true;
    });
    watched.set(text, entry);
    reporting.add(entry);
    stream.subscribe({
      onTag(tag) {
        stats.onTag(tag);
        anomalies.onTag(tag);
      },
      onEnd() {
        entry.ended = true;
        // A replacing publish of the same stream may already be watched under this key.
        if (watched.get(text) === entry) watched.delete(text);
        history.add(now(), stats.figures());
      },
    });
  }

  const unsubscribe = deps.events.on("publish.started", attach);
  const sampler = setInterval(() => {
    const at = now();
    for (const w of watched.values()) history.add(at, w.stats.figures());
  }, settings.historySampleMs);
  const reporter = setInterval(() => {
    for (const w of reporting) {
      if (!w.pushed) continue;
      report(w);
      // An ended publish gets this one last report of what was left.
      if (w.ended) reporting.delete(w);
    }
  }, settings.pushExceptionIntervalMs);
  sampler.unref();
  reporter.unref();

  return {
    live: () => [...watched.values()].map((w) => w.stats.figures()),
    history: (q) => history.query({ ...q, nowMs: now() }),
    async stop() {
      unsubscribe();
      clearInterval(sampler);
      clearInterval(reporter);
      // Shutdown: what is left is reported now, each after its publish's push.
      const last = [...reporting].map((w) => w.stream.pushed.then(() => report(w)));
      reporting.clear();
      await Promise.allSettled(last);
      await Promise.allSettled([...pending]);
    },
  };
}

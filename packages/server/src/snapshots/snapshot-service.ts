import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { buildSnapshotEvent } from "@onair/callbacks";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { streamKeyText } from "../domain/stream-key.js";
import type { EventInput } from "../events/event-committer.js";
import type { SnapshotTemplate } from "../store/snapshot-repository.js";
import type { Store } from "../store/store.js";
import { matchStreamRule } from "../store/stream-rules.js";
import type { LivePublish } from "../streams/live-publish.js";
import { ConcurrencyGate } from "./concurrency-gate.js";
import { jpegSize } from "./jpeg-size.js";
import { snapshotLocation } from "./snapshot-path.js";
import { type SnapshotCounters, StreamSnapshotter } from "./stream-snapshotter.js";

/** One stored and reported screenshot, as handed to `onSnapshot`. */
export interface SnapshotTaken {
  domainName: string;
  appName: string;
  streamName: string;
  streamParam: string;
  template: SnapshotTemplate;
  jpeg: Buffer;
  width: number;
  height: number;
  takenAt: Date;
  /** Absolute file path under `<dataDir>/files/snapshot/`. */
  path: string;
  /** Tencent's `pic_full_url`. */
  url: string;
}

/**
 * Screenshots (event_type 200). When a publish starts and a snapshot rule matches, a JPEG is
 * decoded from the latest keyframe at the first keyframe and every SnapshotInterval, stored at the
 * seeds' path shape under `/files/snapshot/<domain>/<app>/` and reported with the JPEG's real size.
 * Decoding never touches the ingest path (see StreamSnapshotter); a failed ffmpeg is logged and
 * counted and the stream goes on.
 *
 * `onSnapshot` sees every reported JPEG (for porn detection, event 317); it runs after the
 * callback is committed and its failures are only logged.
 *
 * @example
 * const snapshots = createSnapshotService({ store, emit, config, clock, logger, filesDir, publicBaseUrl });
 * snapshots.attach(publish); // from onPublishStarted
 */
export function createSnapshotService(deps: {
  store: Store;
  commit: (input: EventInput) => Promise<unknown>;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  /** Root of what `/files/` serves. */
  filesDir: string;
  /** `http://host:port` the files are reachable at. */
  publicBaseUrl: () => string;
  /** The `?expires=&sig=` for a path under `/files/` ("" when files are public). */
  fileUrlQuery: (path: string) => string;
  onSnapshot?: (shot: SnapshotTaken) => void | Promise<void>;
}) {
  const settings = deps.config.snapshot;
  const gate = new ConcurrencyGate(settings.maxConcurrent);
  const counters: SnapshotCounters = {
    taken: 0,
    failed: 0,
    skippedBusy: 0,
    skippedUnchanged: 0,
    skippedCapacity: 0,
  };
  const active = new Set<StreamSnapshotter>();
  const hooks = new Set<Promise<void>>();

  async function saveAndReport(
    publish: LivePublish,
    template: SnapshotTemplate,
    jpeg: Buffer,
    takenAt: Date,
  ) {
    const size = jpegSize(jpeg);
    if (!size) throw new Error("ffmpeg's output is not a JPEG");
    const key = publish.key;
    const location = snapshotLocation({ filesDir: deps.filesDir, ...key, takenAt, ...size });
    if (!location) return;
    // Two shots in one second would share a name; the reported one stays as it was.
    if (
      await stat(location.path).then(
        () => true,
        () => false,
      )
    )
      return;
    await mkdir(dirname(location.path), { recursive: true });
    // Renamed into place once complete: `/files/` never serves half a JPEG.
    await writeFile(`${location.path}.part`, jpeg);
    await rename(`${location.path}.part`, location.path);
    const baseUrl = `${deps.publicBaseUrl()}/files/${location.basePath}`;
    // pic_url stays Tencent's bare path; pic_full_url, what receivers fetch, is signed.
    const fullUrl = `${baseUrl}${location.picUrl}${deps.fileUrlQuery(decodeURIComponent(`${location.basePath}${location.picUrl}`))}`;
    const built = buildSnapshotEvent({
      appid: deps.config.appid,
      app: key.domainName,
      appname: key.appName,
      stream_id: key.streamName,
      stream_param: publish.request.streamParam,
      create_time: Math.floor(takenAt.getTime() / 1000),
      file_size: jpeg.length,
      width: size.width,
      height: size.height,
      pic_url: location.picUrl,
      baseUrl,
    });
    const body = { ...built, pic_full_url: fullUrl };
    await deps.commit({
      body: body as EventInput["body"],
      domainName: key.domainName,
      appName: key.appName,
      streamId: key.streamName,
      source: "ingest",
    });
    const onSnapshot = deps.onSnapshot;
    if (onSnapshot) {
      const shot: SnapshotTaken = {
        ...key,
        streamParam: publish.request.streamParam,
        template,
        jpeg,
        ...size,
        takenAt,
        path: location.path,
        url: fullUrl,
      };
      const hook = Promise.resolve()
        .then(() => onSnapshot(shot))
        .catch((err: unknown) => deps.logger.error({ err }, "onSnapshot hook failed"))
        .finally(() => hooks.delete(hook));
      hooks.add(hook);
    }
  }

  return {
    /**
     * Takes screenshots of `publish` if a rule asks for it. Subscribes before the rule lookup
     * (synchronously, from `onPublishStarted`) so the first keyframe is cached.
     */
    async attach(publish: LivePublish): Promise<void> {
      const key = publish.key;
      // Names that could escape their folder get no screenshots (and no subscription).
      const probe = snapshotLocation({
        filesDir: deps.filesDir,
        ...key,
        takenAt: new Date(0),
        width: 0,
        height: 0,
      });
      if (!probe) return;
      let template: SnapshotTemplate | null = null;
      const snapshotter: StreamSnapshotter = new StreamSnapshotter({
        gate,
        ffmpegPath: settings.ffmpegPath,
        timeoutMs: settings.timeoutMs,
        counters,
        logger: deps.logger.child({ stream: streamKeyText(key) }),
        now: () => deps.clock.now(),
        onJpeg: async (jpeg, takenAt) => {
          if (template) await saveAndReport(publish, template, jpeg, takenAt);
        },
        onFinished: () => active.delete(snapshotter),
      });
      const unsubscribe = publish.fanout.subscribe(snapshotter.cache);
      active.add(snapshotter);
      try {
        const rule = matchStreamRule(await deps.store.snapshots.listRules(), key);
        template = rule ? await deps.store.snapshots.getTemplate(rule.templateId) : null;
      } finally {
        if (!template) {
          unsubscribe();
          snapshotter.cancel();
        }
      }
      if (!template) return;
      snapshotter.start({
        intervalSeconds: template.intervalSeconds,
        width: template.width,
        height: template.height,
      });
      deps.logger.info(
        {
          stream: streamKeyText(key),
          template: template.id,
          interval: template.intervalSeconds,
        },
        "screenshots started",
      );
    },

    /** Waits for running ffmpeg children, their callbacks and `onSnapshot` hooks. */
    async drain(): Promise<void> {
      await Promise.allSettled([...active].map((s) => s.idle()));
      await Promise.allSettled([...hooks]);
    },

    /** Counts since start (taken, failed, skipped …), for logs and metrics. */
    counters(): Readonly<SnapshotCounters> {
      return { ...counters };
    },
  };
}

export type SnapshotService = ReturnType<typeof createSnapshotService>;

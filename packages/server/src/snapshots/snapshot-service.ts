import { streamKeyText } from "../domain/stream-key.js";
import type { StreamConsumerDeps } from "../events/stream-consumer-deps.js";
import { createTaskRunner } from "../events/task-runner.js";
import type { PublishedStream } from "../media/published-stream.js";
import type { SnapshotTemplate } from "../store/snapshot-repository.js";
import { matchStreamRule } from "../store/stream-rules.js";
import { ConcurrencyGate } from "./concurrency-gate.js";
import { snapshotLocation } from "./snapshot-path.js";
import { createSnapshotReporter, type SnapshotTaken } from "./snapshot-reporter.js";
import { type SnapshotCounters, StreamSnapshotter } from "./stream-snapshotter.js";

export type { SnapshotTaken } from "./snapshot-reporter.js";

/**
 * Screenshots (`EventType.Snapshot`, docs/snapshots.md). On every "publish.started" whose stream
 * a snapshot rule matches, a JPEG is decoded from the latest keyframe at the first keyframe and
 * every SnapshotInterval, then stored and reported (see createSnapshotReporter). Decoding never
 * touches the ingest path (see StreamSnapshotter); a failed ffmpeg is logged and counted and the
 * stream goes on.
 *
 * @example
 * const snapshots = createSnapshotService({ ...deps, onSnapshot: (shot) => moderate(shot) });
 */
export function createSnapshotService(
  deps: StreamConsumerDeps & {
    onSnapshot?: (shot: SnapshotTaken) => void | Promise<void>;
  },
) {
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
  const reporter = createSnapshotReporter(deps);

  async function attach(stream: PublishedStream): Promise<void> {
    const key = stream.key;
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
        if (template) await reporter.save(stream, template, jpeg, takenAt);
      },
      onFinished: () => active.delete(snapshotter),
    });
    const unsubscribe = stream.subscribe(snapshotter.cache);
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
      { stream: streamKeyText(key), template: template.id, interval: template.intervalSeconds },
      "screenshots started",
    );
  }

  /**
   * Screenshots of `stream` with `template` until the publish ends or the returned function is
   * called (a CreateScreenshotTask's EndTime or StopScreenshotTask); null for names that could
   * escape their folder.
   */
  function shoot(stream: PublishedStream, template: SnapshotTemplate): (() => void) | null {
    const location = snapshotLocation({
      filesDir: deps.filesDir,
      ...stream.key,
      takenAt: new Date(0),
      width: 0,
      height: 0,
    });
    if (!location || stream.closed) return null;
    const snapshotter: StreamSnapshotter = new StreamSnapshotter({
      gate,
      ffmpegPath: settings.ffmpegPath,
      timeoutMs: settings.timeoutMs,
      counters,
      logger: deps.logger.child({ stream: streamKeyText(stream.key) }),
      now: () => deps.clock.now(),
      onJpeg: (jpeg, takenAt) => reporter.save(stream, template, jpeg, takenAt),
      onFinished: () => active.delete(snapshotter),
    });
    const unsubscribe = stream.subscribe(snapshotter.cache);
    active.add(snapshotter);
    snapshotter.start({
      intervalSeconds: template.intervalSeconds,
      width: template.width,
      height: template.height,
    });
    return () => {
      unsubscribe();
      snapshotter.cancel();
    };
  }

  // CreateScreenshotTask (Tencent 267/54799): a task whose template is gone takes no screenshots.
  const tasks = createTaskRunner({
    kind: "screenshot",
    tasks: deps.store.tasks,
    events: deps.events,
    clock: deps.clock,
    logger: deps.logger,
    async start(stream, task) {
      const template = task.templateId
        ? await deps.store.snapshots.getTemplate(task.templateId)
        : null;
      return template ? shoot(stream, template) : null;
    },
  });
  tasks.start();

  deps.events.on("publish.started", (stream) => {
    attach(stream).catch((err: unknown) =>
      deps.logger.error({ err, stream: streamKeyText(stream.key) }, "screenshots could not start"),
    );
  });

  return {
    /**
     * Takes screenshots of `stream` if a rule asks for it (done on every "publish.started").
     * Subscribes before the rule lookup (synchronously, in the event's turn) so the first
     * keyframe is cached.
     */
    attach,

    /** Looks for screenshot tasks to start or stop now (after Create/StopScreenshotTask). */
    syncTasks: tasks.sync,

    /** Waits for running ffmpeg children, their callbacks and `onSnapshot` hooks. */
    async drain(): Promise<void> {
      await tasks.stop();
      await Promise.allSettled([...active].map((s) => s.idle()));
      await reporter.drain();
    },

    /** Counts since start (taken, failed, skipped …), for logs and metrics. */
    counters(): Readonly<SnapshotCounters> {
      return { ...counters };
    },
  };
}

export type SnapshotService = ReturnType<typeof createSnapshotService>;

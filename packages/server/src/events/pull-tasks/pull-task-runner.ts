import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { OnAirConfig } from "../../config/schema.js";
import type { Clock } from "../../domain/clock.js";
import { type PullTask, wantsToRun } from "../../domain/pull-task.js";
import type { Store } from "../../store/store.js";
import type { RelayCallbacks } from "./relay-callbacks.js";
import { pushTargetUrl } from "./relay-target.js";
import { type StopReason, TaskRun } from "./task-run.js";

/**
 * Runs the pull-and-relay tasks (CreateLivePullStreamTask, Tencent 267/56245) on this node: every
 * `pollMs` it reads the enabled tasks whose window contains now, takes the lease of those nobody
 * runs (`store.pullTasks.acquire`, so across nodes sharing a store exactly one node runs each),
 * starts a `TaskRun` for each while it has room (`maxRunning`), and reports each run's state,
 * which also renews its lease. A run stops at EndTime, when its task is paused or deleted (from
 * any node), or when its lease was lost (another node took it after this one fell silent for
 * `leaseMs`). On shutdown the leases are given back, so another node takes the tasks at once.
 */
export function createPullTaskRunner(deps: {
  store: Store;
  callbacks: RelayCallbacks;
  settings: OnAirConfig["pullTasks"];
  clock: Clock;
  logger: Logger;
  nodeId: string;
  /** This node's RTMP ingest as a pusher on this machine reaches it; null without ingest. */
  rtmpAddress: () => { host: string; port: number } | null;
}) {
  const { store, settings, clock, logger } = deps;
  const owner = `${deps.nodeId}:${randomBytes(6).toString("hex")}`;
  const runs = new Map<string, TaskRun>();
  let timer: NodeJS.Timeout | null = null;
  let syncing: Promise<void> | null = null;
  let stopped = false;

  function startRun(task: PullTask): void {
    const run = new TaskRun(task, {
      callbacks: deps.callbacks,
      clock,
      logger,
      ffmpegPath: settings.ffmpegPath,
      ffprobePath: settings.ffprobePath,
      stallMs: settings.stallMs,
      targetUrl: (t) => pushTargetUrl(t, { store, rtmpAddress: deps.rtmpAddress }),
      finished: async (t) => {
        // The last figures (every round played) first, then the lease goes.
        await store.pullTasks.report(t.id, owner, run.state, clock.now(), settings.leaseMs);
        await store.pullTasks.finish(t.id, owner, t.restartVersion);
      },
    });
    runs.set(task.id, run);
    logger.info({ task: task.id, source: task.config.sourceType }, "pull task started");
    void run.done.finally(() => {
      if (runs.get(task.id) === run) runs.delete(task.id);
      stopping.delete(run);
    });
  }

  /** Runs being stopped: a poll meanwhile leaves them alone. */
  const stopping = new Set<TaskRun>();

  async function end(run: TaskRun, reason: StopReason): Promise<void> {
    if (stopping.has(run)) return run.done;
    stopping.add(run);
    logger.info({ task: run.id, reason }, "pull task stopping");
    await run.stop(reason);
    if (reason !== "lost") await store.pullTasks.release(run.id, owner);
  }

  async function syncOnce(): Promise<void> {
    const now = clock.now();
    const wanted = new Map(
      (await store.pullTasks.inWindow(now)).filter((t) => wantsToRun(t, now)).map((t) => [t.id, t]),
    );
    for (const [id, run] of runs) {
      if (stopping.has(run)) continue;
      const task = wanted.get(id);
      if (task) {
        run.update(task);
        const kept = await store.pullTasks.report(id, owner, run.state, now, settings.leaseMs);
        if (!kept) void end(run, "lost");
        continue;
      }
      const row = await store.pullTasks.get(id);
      if (!row) void end(run, "deleted");
      else if (row.status === "pause") void end(run, "paused");
      else if (now.getTime() >= row.endTime.getTime()) void end(run, "end");
      // Otherwise its run finished (every round played) and is ending by itself.
    }
    for (const task of wanted.values()) {
      if (stopped || runs.size >= settings.maxRunning) break;
      if (runs.has(task.id)) continue;
      // A push into OnAir needs this node's ingest; a node without one leaves it to one with.
      if (task.config.toUrl === "" && deps.rtmpAddress() === null) continue;
      if (await store.pullTasks.acquire(task.id, owner, now, settings.leaseMs)) startRun(task);
    }
  }

  /** One sync at a time; a poll during one is skipped. */
  function sync(): Promise<void> {
    syncing ??= syncOnce()
      .catch((err: unknown) => logger.error({ err }, "pull task poll failed"))
      .finally(() => {
        syncing = null;
      });
    return syncing;
  }

  return {
    /** Polls every `pollMs` (unref'd: it never keeps the process alive). */
    start(): void {
      if (timer) return;
      timer = setInterval(() => void sync(), settings.pollMs);
      timer.unref();
      void sync();
    },
    /** Looks at the tasks now (tests, and after an API change on this node). */
    sync,
    /** Tasks this node runs now. */
    running: () => [...runs.keys()],
    /** Stops polling and every run, and gives their leases back. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await syncing;
      await Promise.all([...runs.values()].map((run) => end(run, "shutdown")));
    },
  };
}

export type PullTaskRunner = ReturnType<typeof createPullTaskRunner>;

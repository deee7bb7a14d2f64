import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { streamKeyText } from "../domain/stream-key.js";
import type { PublishedStream } from "../media/published-stream.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { LiveTask, TaskKind, TaskRepository } from "../store/task-repository.js";

/** How often a node with live publishes looks for tasks that start, stop or end. */
export const TASK_POLL_MS = 1000;
/**
 * At most this many tasks of one kind run on one stream at once: Tencent starts at most 3 of
 * overlapping tasks (267/45983, 267/54799).
 */
export const MAX_TASKS_PER_STREAM = 3;

/** Starts a task's work on a live stream; resolves to its stop function, or null (nothing to do). */
export type StartTask = (stream: PublishedStream, task: LiveTask) => Promise<(() => void) | null>;

/**
 * Carries out the on-demand tasks of one kind (CreateRecordTask, CreateScreenshotTask) for the
 * publishes this node holds: only the node with the publish sees its `PublishedStream`, so with
 * a shared store exactly one node runs each task. Every `pollMs` while something is live (and at
 * once on "publish.started") it reads the tasks whose window contains now: a task of a live
 * stream starts, one marked stopped (Stop…Task, on any node) ends, and each ends at its EndTime
 * on a timer. A deleted task keeps running until its EndTime or the end of the publish (Tencent:
 * deleting "does not affect running tasks", 267/45982). A publish that ends and comes back within
 * the window is taken up again.
 */
export function createTaskRunner(deps: {
  kind: TaskKind;
  tasks: TaskRepository;
  events: NodeEvents;
  clock: Clock;
  logger: Logger;
  start: StartTask;
  pollMs?: number;
}) {
  const live = new Map<string, PublishedStream>();
  /** By `taskId/sequence`: one run of a task on one publish. */
  const running = new Map<
    string,
    { stream: PublishedStream; stop: () => void; timer: NodeJS.Timeout }
  >();
  /** Runs being started (the template lookup is async), so a poll does not start them twice. */
  const starting = new Set<string>();
  /** Runs done (EndTime reached) or with nothing to do (no format enabled, template gone). */
  const idle = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let syncing: Promise<void> | null = null;
  let again = false;

  const sameStream = (task: LiveTask, stream: PublishedStream) =>
    task.domainName === stream.key.domainName &&
    task.appName === stream.key.appName &&
    task.streamName === stream.key.streamName;

  function end(runKey: string): void {
    const run = running.get(runKey);
    if (!run) return;
    running.delete(runKey);
    clearTimeout(run.timer);
    run.stop();
  }

  async function begin(stream: PublishedStream, task: LiveTask, runKey: string): Promise<void> {
    starting.add(runKey);
    try {
      const stop = await deps.start(stream, task);
      if (!stop) {
        idle.add(runKey);
        return;
      }
      const left = task.endTime.getTime() - deps.clock.now().getTime();
      const endTimer = setTimeout(
        () => {
          // Done for this publish: a poll racing the clock must not start it again.
          idle.add(runKey);
          end(runKey);
        },
        Math.max(0, left),
      );
      endTimer.unref();
      running.set(runKey, { stream, stop, timer: endTimer });
      deps.logger.info(
        { task: task.id, kind: deps.kind, stream: streamKeyText(stream.key) },
        "task started",
      );
    } finally {
      starting.delete(runKey);
    }
  }

  async function syncOnce(): Promise<void> {
    for (const [sequence, stream] of live) {
      if (!stream.closed) continue;
      live.delete(sequence);
      for (const runKey of idle) if (runKey.endsWith(`/${sequence}`)) idle.delete(runKey);
    }
    for (const [runKey, run] of running) if (run.stream.closed) end(runKey);
    if (live.size === 0) return;
    const tasks = await deps.tasks.inWindow(deps.kind, deps.clock.now());
    for (const task of tasks) {
      for (const stream of live.values()) {
        if (!sameStream(task, stream)) continue;
        const runKey = `${task.id}/${stream.sequence}`;
        if (task.stoppedAt) {
          end(runKey);
          continue;
        }
        if (running.has(runKey) || starting.has(runKey) || idle.has(runKey)) continue;
        const onStream = [...running.keys(), ...starting].filter((k) =>
          k.endsWith(`/${stream.sequence}`),
        ).length;
        if (onStream >= MAX_TASKS_PER_STREAM) continue;
        await begin(stream, task, runKey).catch((err: unknown) =>
          deps.logger.error({ err, task: task.id, kind: deps.kind }, "task could not start"),
        );
      }
    }
  }

  /** One sync at a time; a request during one runs another right after. */
  function sync(): Promise<void> {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = syncOnce()
      .catch((err: unknown) => deps.logger.error({ err, kind: deps.kind }, "task poll failed"))
      .finally(() => {
        syncing = null;
        if (again) {
          again = false;
          void sync();
        }
      });
    return syncing;
  }

  deps.events.on("publish.started", (stream) => {
    live.set(stream.sequence, stream);
    void sync();
  });

  return {
    /** Polls every `pollMs` (unref'd: it never keeps the process alive). */
    start(): void {
      if (timer) return;
      timer = setInterval(() => void sync(), deps.pollMs ?? TASK_POLL_MS);
      timer.unref();
    },
    /** Looks at the tasks now (after a Create or Stop on this node, and in tests). */
    sync,
    /** Stops polling and ends every run (their files are finished and reported). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await syncing;
      for (const runKey of [...running.keys()]) end(runKey);
    },
  };
}

export type TaskRunner = ReturnType<typeof createTaskRunner>;

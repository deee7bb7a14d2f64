import { join } from "node:path";
import { streamKeyText } from "../domain/stream-key.js";
import type { StreamConsumerDeps } from "../events/stream-consumer-deps.js";
import { createTaskRunner } from "../events/task-runner.js";
import type { RecordTemplate } from "../store/recording-repository.js";
import { createRecorderAttacher } from "./attach-recorders.js";
import { createCrashRecovery } from "./crash-recovery.js";
import { createRecordingEvents, type RecordFormat } from "./recording-events.js";
import { createRetentionSweep } from "./retention-sweep.js";

/** Tencent's recording of a task without a template: HLS, kept forever (267/45983). */
const DEFAULT_TASK_TEMPLATE: Pick<RecordTemplate, "id" | "params"> = {
  id: 0,
  params: { Hls: { RecordInterval: 1800, StorageTime: 0, Enable: 1 } },
};

/**
 * Recording (`EventType.RecordFile`, docs/recording.md). On every "publish.started" the most
 * specific record rule picks a template and its formats' recorders subscribe to the stream; each
 * finished file is reported with its `video_url` under `/files/`. At start-up `recover()`
 * finishes and reports what a crash left; `startSweeper()` deletes files past their StorageTime.
 */
export function createRecordingService(
  deps: StreamConsumerDeps & {
    /** Counts failures by format (Prometheus). */
    onFailure?: (format: RecordFormat) => void;
  },
) {
  const recordDir = join(deps.filesDir, "record");
  const callbacks = createRecordingEvents(deps);
  const recovery = createCrashRecovery({ ...deps, recordDir, callbacks });
  const recorders = createRecorderAttacher({
    ...deps,
    recordDir,
    callbacks,
    recoverFlv: recovery.recoverFlv,
  });
  const sweep = createRetentionSweep(deps);
  // CreateRecordTask (Tencent 267/45983): the task's template, or Tencent's default (HLS, kept
  // forever) when it names none or its template was deleted since.
  const tasks = createTaskRunner({
    kind: "record",
    tasks: deps.store.tasks,
    events: deps.events,
    clock: deps.clock,
    logger: deps.logger,
    async start(stream, task) {
      const template =
        (task.templateId ? await deps.store.recording.getTemplate(task.templateId) : null) ??
        DEFAULT_TASK_TEMPLATE;
      return recorders.record(stream, template, { id: task.id });
    },
  });
  tasks.start();
  deps.events.on("publish.started", (stream) => {
    recorders
      .attach(stream)
      .catch((err: unknown) =>
        deps.logger.error({ err, stream: streamKeyText(stream.key) }, "recording could not start"),
      );
  });

  return {
    /** Starts recording `stream` if a rule asks for it (done on every "publish.started"). */
    attach: recorders.attach,
    /** Finishes and reports what a crash left behind; how many files. */
    recover: recovery.recover,
    /** Runs the retention sweeper every `recording.sweepIntervalMs`. */
    startSweeper: sweep.start,
    /** Looks for record tasks to start or stop now (after CreateRecordTask / StopRecordTask). */
    syncTasks: tasks.sync,
    /** Stops the sweeper and the tasks and waits for the recorders to finish their files. */
    async drain(): Promise<void> {
      sweep.stop();
      await tasks.stop();
      await recorders.drain();
    },
  };
}

export type RecordingService = ReturnType<typeof createRecordingService>;

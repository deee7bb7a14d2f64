import type { Logger } from "pino";
import type { Clock } from "../../domain/clock.js";
import {
  IDLE_RUN_STATE,
  type PullTask,
  type PullTaskRunState,
  type RelayAlarmType,
  relayBackoffMs,
  roundsToPlay,
} from "../../domain/pull-task.js";
import type { RelayCallbacks } from "./relay-callbacks.js";
import { RelayPipeline, type SourceEnd } from "./relay-pipeline.js";
import { probeDurationMs } from "./source-probe.js";

/** Why a run stops before it finished: each but `lost` and `shutdown` tells TaskExit. */
export type StopReason = "end" | "paused" | "deleted" | "lost" | "shutdown";

const EXIT_MESSAGES: Record<Exclude<StopReason, "lost" | "shutdown">, string> = {
  end: "the task reached its EndTime",
  paused: "the task was paused (Status pause)",
  deleted: "the task was deleted",
};

/** A file that fails to be read this many times in a row is skipped. */
const MAX_FILE_FAILURES = 3;
/** Media reaching the target this long means the relay works again: the back-off starts over (ms). */
const HEALTHY_AFTER_MS = 5000;
/** A file ending this much before its probed duration is FileEndEarly (ms). */
const EARLY_END_MARGIN_MS = 2000;

/** Where a file task is: which file of which round, and how far into it (s). */
interface Position {
  index: number;
  round: number;
  offsetSeconds: number;
}

export interface TaskRunDeps {
  callbacks: RelayCallbacks;
  clock: Clock;
  logger: Logger;
  ffmpegPath: string;
  ffprobePath: string;
  stallMs: number;
  /** Where the writer pushes; null when it cannot (no RTMP ingest on this node). */
  targetUrl(task: PullTask): Promise<string | null>;
  /** Every round played: mark the run done and give the lease up. */
  finished(task: PullTask): Promise<void>;
}

/**
 * One node's run of one task, from TaskStart to TaskExit: a `RelayPipeline` per attempt, the
 * live source or the files one after the other (each round of VodLoopTimes), a restart with
 * back-off (`relayBackoffMs`) and a TaskAlarm whenever the pull or the push fails, and the figures
 * DescribeLivePullStreamTaskStatus reports (`state`). The runner feeds it the task's newest row
 * (`update`) and stops it.
 */
export class TaskRun {
  readonly state: PullTaskRunState = { ...IDLE_RUN_STATE };
  private stopReason: StopReason | null = null;
  private pipeline: RelayPipeline | null = null;
  private wakeSleep: (() => void) | null = null;
  /** A Modify of what is relayed, to apply now (`now`) or after the current file (`later`). */
  private reconfigure: "now" | "later" | null = null;
  private restarted = false;
  private failures = 0;
  private position: Position;
  /** `round/index` of the file whose VodSourceFileStart was sent. */
  private announced: string | null = null;
  readonly done: Promise<void>;

  constructor(
    private task: PullTask,
    private readonly deps: TaskRunDeps,
  ) {
    this.position = initialPosition(task);
    this.done = this.main().catch((err: unknown) =>
      deps.logger.error({ err, task: task.id }, "pull task run failed"),
    );
  }

  get id(): string {
    return this.task.id;
  }

  get endTime(): Date {
    return this.task.endTime;
  }

  /** Takes the task's newest row: a Restart or a Modify of what is relayed takes effect. */
  update(task: PullTask): void {
    const old = this.task;
    this.task = task;
    if (task.restartVersion !== old.restartVersion) {
      this.restarted = true;
      if (task.config.vodRefreshType === "ImmediateNewSource")
        this.position = initialPosition(task);
      void this.pipeline?.close();
      this.wakeSleep?.();
      return;
    }
    if (task.configVersion !== old.configVersion) {
      void this.deps.callbacks.tell(task, { callback_event: "ResetTaskConfig" });
      const later =
        task.config.sourceType === "PullVodPushLive" &&
        task.config.vodRefreshType === "ContinueBreakPoint" &&
        task.config.toUrl === old.config.toUrl;
      this.reconfigure = later ? "later" : "now";
      // Applied now, a failing task tries the new source or target without waiting its back-off.
      if (!later) {
        void this.pipeline?.close();
        this.wakeSleep?.();
      }
    }
  }

  /** Stops the run (idempotent); `done` settles once its children exited and TaskExit is committed. */
  stop(reason: StopReason): Promise<void> {
    this.stopReason ??= reason;
    this.wakeSleep?.();
    void this.pipeline?.close();
    return this.done;
  }

  private async main(): Promise<void> {
    await this.tellStart();
    for (;;) {
      if (this.stopReason) break;
      const outcome = await this.attempt();
      if (outcome === "done") {
        await this.deps.callbacks.tell(
          this.task,
          exitEvent(this.deps.clock, "0", "every round of the files was played"),
        );
        await this.deps.finished(this.task);
        return;
      }
      if (this.stopReason) break;
      if (this.restarted) {
        this.restarted = false;
        this.failures = 0;
        await this.tellStart();
        continue;
      }
      if (outcome === "reconfigured") continue;
      this.failures += 1;
      await this.sleep(relayBackoffMs(this.failures));
    }
    const reason = this.stopReason;
    if (reason && reason !== "lost" && reason !== "shutdown") {
      await this.deps.callbacks.tell(
        this.task,
        exitEvent(this.deps.clock, "0", EXIT_MESSAGES[reason]),
      );
    }
  }

  private tellStart(): Promise<void> {
    return this.deps.callbacks.tell(this.task, {
      callback_event: "TaskStart",
      task_start_time: this.deps.clock.now().getTime(),
    });
  }

  /** One pipeline, from its start to its end: `done` (every round played), `failed` or `reconfigured`. */
  private async attempt(): Promise<"done" | "failed" | "reconfigured"> {
    // A Modify that arrived between attempts (during a back-off) starts this one afresh.
    this.takeReconfigure();
    const target = await this.deps.targetUrl(this.task);
    if (target === null) {
      await this.alarm(
        "PushStreamFailed",
        "this node takes no RTMP publish (ingest.enabled is false)",
        "",
      );
      return "failed";
    }
    let pushingSince: number | null = null;
    this.pipeline = new RelayPipeline({
      ffmpegPath: this.deps.ffmpegPath,
      targetUrl: target,
      stallMs: this.deps.stallMs,
      onMedia: (mediaMs) => {
        this.state.offsetMs = this.position.offsetSeconds * 1000 + mediaMs;
      },
      onPushing: () => {
        const now = this.deps.clock.now().getTime();
        pushingSince ??= now;
        this.state.runStatus = "active";
        if (now - pushingSince >= HEALTHY_AFTER_MS) this.failures = 0;
      },
    });
    try {
      return this.task.config.sourceType === "PullLivePushLive"
        ? await this.playLive(this.pipeline)
        : await this.playFiles(this.pipeline);
    } finally {
      await this.pipeline.close();
      this.pipeline = null;
      this.state.runStatus = "inactive";
    }
  }

  private async playLive(pipeline: RelayPipeline): Promise<"failed" | "reconfigured"> {
    const url = this.task.config.sourceUrls[0] ?? "";
    Object.assign(this.state, { fileUrl: url, fileIndex: 0, nextFileUrl: "", fileDurationMs: 0 });
    const end = await pipeline.play({ url, file: false, offsetSeconds: 0 });
    if (end.kind === "stopped") return this.takeReconfigure();
    if (end.kind === "ended") {
      await this.alarm("PullFileFailed", "the live source ended", url);
    } else {
      await this.failed(end, url);
    }
    return "failed";
  }

  private async playFiles(pipeline: RelayPipeline): Promise<"done" | "failed" | "reconfigured"> {
    let fileFailures = 0;
    for (;;) {
      if (this.stopReason || this.restarted) return "failed";
      if (this.reconfigure === "now") return this.takeReconfigure();
      const urls = this.task.config.sourceUrls;
      if (this.position.index >= urls.length)
        this.position = { ...this.position, index: 0, offsetSeconds: 0 };
      const { index, round } = this.position;
      const url = urls[index] ?? "";
      const rounds = roundsToPlay(this.task.config.vodLoopTimes);
      const durationMs = await probeDurationMs(this.deps.ffprobePath, url);
      Object.assign(this.state, {
        fileUrl: url,
        fileIndex: index,
        fileDurationMs: durationMs,
        nextFileUrl: index + 1 < urls.length ? urls[index + 1] : round + 1 < rounds ? urls[0] : "",
        loopedTimes: round,
      });
      const key = `${round}/${index}`;
      if (this.announced !== key) {
        this.announced = key;
        await this.deps.callbacks.tell(this.task, {
          callback_event: "VodSourceFileStart",
          url,
          index,
          duration: durationMs / 1000,
        });
      }
      const end = await pipeline.play({
        url,
        file: true,
        offsetSeconds: this.position.offsetSeconds,
      });
      if (end.kind === "stopped") {
        // A Restart with ContinueBreakPoint resumes here.
        this.position.offsetSeconds += end.mediaMs / 1000;
        return this.takeReconfigure();
      }
      if (end.kind === "failed") {
        this.position.offsetSeconds += end.mediaMs / 1000;
        await this.failed(end, url);
        if (end.side === "pull" && ++fileFailures >= MAX_FILE_FAILURES) this.advance(urls.length);
        return "failed";
      }
      fileFailures = 0;
      const playedMs = this.position.offsetSeconds * 1000 + end.mediaMs;
      if (durationMs > 0 && playedMs + EARLY_END_MARGIN_MS < durationMs) {
        await this.alarm(
          "FileEndEarly",
          `the file ended after ${Math.round(playedMs)} of ${durationMs} ms`,
          url,
        );
      }
      await this.deps.callbacks.tell(this.task, {
        callback_event: "VodSourceFileFinish",
        url,
        index,
        duration: durationMs / 1000,
      });
      this.advance(urls.length);
      this.state.loopedTimes = this.position.round;
      if (this.position.round >= rounds) return "done";
      if (this.reconfigure === "later") {
        this.reconfigure = null;
        this.position = { ...initialPosition(this.task), round: this.position.round };
      }
    }
  }

  /** On to the next file, and the next round after the last. */
  private advance(count: number): void {
    const next = this.position.index + 1;
    this.position =
      next < count
        ? { index: next, round: this.position.round, offsetSeconds: 0 }
        : { index: 0, round: this.position.round + 1, offsetSeconds: 0 };
  }

  /**
   * After a source was stopped: a Modify applied now starts the files over where the new config
   * says ("reconfigured"); otherwise the stop was a Restart or the end ("failed", handled by main).
   */
  private takeReconfigure(): "reconfigured" | "failed" {
    if (this.reconfigure !== "now") return "failed";
    this.reconfigure = null;
    this.position = { ...initialPosition(this.task), round: this.position.round };
    this.announced = null;
    return "reconfigured";
  }

  private failed(end: Extract<SourceEnd, { kind: "failed" }>, url: string): Promise<void> {
    return end.side === "pull"
      ? this.alarm("PullFileFailed", end.reason, url)
      : this.alarm("PushStreamFailed", end.reason, url);
  }

  private async alarm(type: RelayAlarmType, reason: string, url: string): Promise<void> {
    this.state.lastError = `${type}: ${reason}`;
    this.state.runStatus = "inactive";
    this.deps.logger.warn({ task: this.task.id, alarm: type, reason }, "pull task alarm");
    await this.deps.callbacks.tell(this.task, {
      callback_event: "TaskAlarm",
      alarm_type: type,
      message: reason,
      url,
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = null;
        done();
      };
    });
  }
}

/** Tencent's FileIndex (1-based) and OffsetTime: where the first round starts. */
function initialPosition(task: PullTask): Position {
  const count = task.config.sourceUrls.length;
  const index =
    task.config.fileIndex >= 1 && task.config.fileIndex <= count ? task.config.fileIndex - 1 : 0;
  return { index, round: 0, offsetSeconds: Math.max(0, task.config.offsetTime) };
}

function exitEvent(clock: Clock, code: string, message: string) {
  return {
    callback_event: "TaskExit" as const,
    task_exit_time: clock.now().getTime(),
    code,
    message,
  };
}

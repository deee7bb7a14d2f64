/**
 * Pull-and-relay tasks, Tencent's way (CreateLivePullStreamTask, Tencent 267/56245): pull a live
 * stream or play files, and push what comes out to one target, from StartTime to EndTime, telling
 * the task's CallbackUrl how it goes (event 314, Tencent 267/42525). Plain data and the pure
 * decisions about it; the store keeps it, `events/pull-tasks/` runs it.
 */

/** Tencent's SourceType values OnAir runs (PullPicPushLive, pictures, is refused). */
export const PULL_SOURCE_TYPES = ["PullLivePushLive", "PullVodPushLive"] as const;
export type PullSourceType = (typeof PULL_SOURCE_TYPES)[number];

/** Tencent's VodRefreshType: what a Modify of SourceUrls does to a file task that is playing. */
export const VOD_REFRESH_TYPES = ["ImmediateNewSource", "ContinueBreakPoint"] as const;
export type VodRefreshType = (typeof VOD_REFRESH_TYPES)[number];

/** Tencent's CallbackEvents (the SDK's CreateLivePullStreamTaskRequest.CallbackEvents). */
export const RELAY_CALLBACK_EVENTS = [
  "TaskStart",
  "TaskExit",
  "VodSourceFileStart",
  "VodSourceFileFinish",
  "ResetTaskConfig",
  "TaskAlarm",
] as const;
export type RelayCallbackEvent = (typeof RELAY_CALLBACK_EVENTS)[number];

/**
 * The AlarmType of a TaskAlarm OnAir sends (the SDK's list): the source could not be read
 * (`PullFileFailed`), the target refused or dropped the push (`PushStreamFailed`), a file ended
 * well before the duration ffprobe gave (`FileEndEarly`).
 */
export type RelayAlarmType = "PullFileFailed" | "PushStreamFailed" | "FileEndEarly";

/** Tencent's Status of a task: `enable` runs in its window, `pause` does not. */
export type PullTaskStatus = "enable" | "pause";

/** What a task relays, as CreateLivePullStreamTask and ModifyLivePullStreamTask set it. */
export interface PullTaskConfig {
  sourceType: PullSourceType;
  sourceUrls: string[];
  /** The target as an OnAir push (DomainName/AppName/StreamName), or "" with `toUrl`. */
  domainName: string;
  appName: string;
  streamName: string;
  /** Tencent's PushArgs: the query added to the push (`bak=1&test=2`). */
  pushArgs: string;
  /** A full rtmp:// or rtmps:// target instead of an OnAir push ("" when none). */
  toUrl: string;
  callbackUrl: string;
  /** Events the CallbackUrl is sent; empty means all (Tencent: "不填则回调全部"). */
  callbackEvents: RelayCallbackEvent[];
  /** -1 plays the files until EndTime; 0 and 1 play them once; N plays them N times. */
  vodLoopTimes: number;
  vodRefreshType: VodRefreshType;
  /** Tencent's FileIndex (1-based) and OffsetTime (s): where the first round starts. */
  fileIndex: number;
  offsetTime: number;
  comment: string;
}

/** A stored task. */
export interface PullTask {
  id: string;
  /** Tencent's SpecifyTaskId ("" when none was given). */
  specifyTaskId: string;
  config: PullTaskConfig;
  startTime: Date;
  endTime: Date;
  status: PullTaskStatus;
  /** Tencent's Operator at creation and at the last change. */
  createBy: string;
  updateBy: string;
  /** Bumped by a Modify that changes what is relayed: a running task applies it. */
  configVersion: number;
  /** Bumped by RestartLivePullStreamTask. */
  restartVersion: number;
  /** The restartVersion whose run played every round (VodLoopTimes); null while none did. */
  doneVersion: number | null;
  /** What the running node last reported. */
  run: PullTaskRunState;
  createdAt: Date;
  updatedAt: Date;
}

/** DescribeLivePullStreamTaskStatus's figures, as the running node reports them. */
export interface PullTaskRunState {
  /** `active` while media flows to the target. */
  runStatus: "active" | "inactive";
  fileUrl: string;
  /** 0-based index into sourceUrls of the file (or the live source) being relayed. */
  fileIndex: number;
  nextFileUrl: string;
  fileDurationMs: number;
  offsetMs: number;
  /** Rounds of the file list played to the end. */
  loopedTimes: number;
  /** The last failure ("" after a success). */
  lastError: string;
  reportTime: Date | null;
}

export const IDLE_RUN_STATE: Readonly<PullTaskRunState> = Object.freeze({
  runStatus: "inactive",
  fileUrl: "",
  fileIndex: 0,
  nextFileUrl: "",
  fileDurationMs: 0,
  offsetMs: 0,
  loopedTimes: 0,
  lastError: "",
  reportTime: null,
});

/** How many rounds of the file list a task plays; Infinity for -1 (until EndTime). */
export function roundsToPlay(vodLoopTimes: number): number {
  return vodLoopTimes < 0 ? Number.POSITIVE_INFINITY : Math.max(1, vodLoopTimes);
}

/** Whether a task should run at `now`: enabled, inside its window, not finished in this run. */
export function wantsToRun(task: PullTask, now: Date): boolean {
  const ms = now.getTime();
  return (
    task.status === "enable" &&
    task.startTime.getTime() <= ms &&
    ms < task.endTime.getTime() &&
    task.doneVersion !== task.restartVersion
  );
}

/** Whether the CallbackUrl is told of `event` (an empty CallbackEvents means all of them). */
export function wantsCallback(config: PullTaskConfig, event: RelayCallbackEvent): boolean {
  return (
    config.callbackUrl !== "" &&
    (config.callbackEvents.length === 0 || config.callbackEvents.includes(event))
  );
}

/**
 * Wait before the `failures`-th restart in a row of a failing relay: 1 s, doubling, at most 30 s.
 *
 * @example
 * relayBackoffMs(1) // 1000
 * relayBackoffMs(9) // 30000
 */
export function relayBackoffMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}

import { z } from "zod";
import { addressRefusal } from "../../domain/address-policy.js";
import { newId } from "../../domain/ids.js";
import {
  PULL_SOURCE_TYPES,
  type PullTask,
  type PullTaskConfig,
  RELAY_CALLBACK_EVENTS,
  VOD_REFRESH_TYPES,
} from "../../domain/pull-task.js";
import { OnAirError } from "../../errors.js";
import { type ActionContext, defineAction } from "../action.js";
import { assertCallbackUrlAllowed } from "../callback-url-policy.js";
import { appName, domainName, tencentTime } from "../fields.js";
import { formatUtcTime } from "../tencent-time.js";

/**
 * Pull-and-relay tasks, Tencent's way: CreateLivePullStreamTask (Tencent 267/56245),
 * DescribeLivePullStreamTasks (267/56243), ModifyLivePullStreamTask (267/56242),
 * DeleteLivePullStreamTask (267/56244), RestartLivePullStreamTask (267/93478) and
 * DescribeLivePullStreamTaskStatus (267/94221). A node runs each task from StartTime to EndTime
 * (events/pull-tasks/); docs/pull-tasks.md says what is supported and what differs.
 *
 * Errors are Tencent's codes for these actions (the SDKs' lists): InvalidParameter.InvalidTaskTime,
 * .InvalidSourceUrl, .InvalidToUrl, .InvalidCallbackUrl, .TaskNotExist, .TaskNumMoreThanLimit;
 * a feature OnAir does not have (pictures, backup sources, watermarks, transcoding, recording
 * templates, a second target) is UnsupportedOperation.
 */

const DAY_MS = 86_400_000;
/** EndTime − StartTime must be under 30 days (the SDK's CreateLivePullStreamTaskRequest). */
const MAX_WINDOW_MS = 30 * DAY_MS;
/** SourceUrls of a file task at most (a live task has exactly one). */
const MAX_FILES = 30;
const MAX_URL_LENGTH = 2048;
const MAX_COMMENT_BYTES = 512;
/** DescribeLivePullStreamTasks' PageSize: 1 to 20, default 10. */
const MAX_PAGE_SIZE = 20;
const SOURCE_SCHEMES = new Set(["http:", "https:", "rtmp:", "rtmps:"]);
const TARGET_SCHEMES = new Set(["rtmp:", "rtmps:"]);

const timeError = (message: string) => new OnAirError("ONAIR_ERR_PULL_TASK_TIME", message);
const sourceError = (message: string) => new OnAirError("ONAIR_ERR_PULL_SOURCE_URL", message);
const targetError = (message: string) => new OnAirError("ONAIR_ERR_PULL_TARGET_URL", message);
const unsupported = (message: string) => new OnAirError("ONAIR_ERR_UNSUPPORTED_FEATURE", message);

function taskMissing(id: string): OnAirError {
  return new OnAirError("ONAIR_ERR_PULL_TASK_NOT_FOUND", `pull task ${id} does not exist`);
}

/** A URL OnAir may pull from or push to: its scheme, and no link-local or metadata address. */
function checkUrl(
  field: string,
  value: string,
  schemes: ReadonlySet<string>,
  ctx: ActionContext,
  fail: (message: string) => OnAirError,
): void {
  if (value.length > MAX_URL_LENGTH) throw fail(`${field} is over ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(`${field} is not a URL: ${JSON.stringify(value.slice(0, 80))}`);
  }
  if (!schemes.has(url.protocol)) {
    throw fail(
      `${field} must be ${[...schemes].map((s) => `${s}//`).join(", ")}, not ${url.protocol}// (OnAir pulls and pushes over these only)`,
    );
  }
  const refused = addressRefusal(
    url.hostname.replace(/^\[|\]$/g, ""),
    ctx.config.pullTasks.allowPrivate,
  );
  if (refused)
    throw fail(
      `${field} is not allowed: ${refused.replace("callbackAllowPrivate", "pullTasks.allowPrivate")}`,
    );
}

function checkSources(
  sourceType: PullTaskConfig["sourceType"],
  urls: string[],
  ctx: ActionContext,
) {
  if (urls.length === 0) throw sourceError("SourceUrls must name at least one URL");
  if (sourceType === "PullLivePushLive" && urls.length > 1) {
    throw sourceError("SourceUrls of a PullLivePushLive task is exactly one URL");
  }
  if (urls.length > MAX_FILES) throw sourceError(`SourceUrls holds at most ${MAX_FILES} URLs`);
  for (const [i, url] of urls.entries()) {
    checkUrl(`SourceUrls.${i}`, url, SOURCE_SCHEMES, ctx, sourceError);
  }
}

function checkCallbackUrl(url: string, ctx: ActionContext): void {
  if (url === "") return;
  try {
    assertCallbackUrlAllowed("CallbackUrl", url, { allowPrivate: ctx.config.callbackAllowPrivate });
  } catch (err) {
    if (err instanceof OnAirError && err.code === "ONAIR_ERR_INVALID_PARAMETER_VALUE") {
      throw new OnAirError("ONAIR_ERR_PULL_CALLBACK_URL", err.message);
    }
    throw err;
  }
}

/** Tencent's window rules: End after Start and after now, at most 30 days apart. */
function checkWindow(start: Date, end: Date, ctx: ActionContext): void {
  if (end.getTime() <= start.getTime()) throw timeError("EndTime must be later than StartTime");
  if (end.getTime() <= ctx.clock.now().getTime()) {
    throw timeError("EndTime must be later than the current time");
  }
  if (end.getTime() - start.getTime() >= MAX_WINDOW_MS) {
    throw timeError("EndTime - StartTime must be under 30 days");
  }
}

function checkFileIndex(config: PullTaskConfig): void {
  if (config.fileIndex > config.sourceUrls.length) {
    throw sourceError(
      `FileIndex ${config.fileIndex} is past the ${config.sourceUrls.length} SourceUrls`,
    );
  }
}

function checkComment(comment: string): void {
  if (Buffer.byteLength(comment, "utf8") > MAX_COMMENT_BYTES) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      `Comment: at most ${MAX_COMMENT_BYTES} bytes`,
    );
  }
}

/** VodLoopTimes: a String in Create's model and an Integer in Modify's; -1 or more either way. */
const vodLoopTimes = z
  .union([z.number().int(), z.string().regex(/^-?\d{1,9}$/, "must be an integer")])
  .transform((v) => Number(v))
  .refine((v) => v >= -1, "must be -1 (until EndTime), 0 or more");

const callbackEvents = z.array(z.enum(RELAY_CALLBACK_EVENTS)).max(RELAY_CALLBACK_EVENTS.length);
const operator = z.string().max(256);
const specifyTaskId = z
  .string()
  .max(64, "at most 64 characters")
  .regex(/^[A-Za-z0-9_-]*$/, "only letters, digits, _ and - are allowed");
const pushArgs = z
  .string()
  .max(1024)
  .regex(/^[^#\s]*$/, "must be a URL query such as bak=1&test=2");
const sourceUrls = z.array(z.string().max(MAX_URL_LENGTH)).max(MAX_FILES * 2);

/** Parameters of Tencent's model OnAir accepts only empty, with why. */
const UNSUPPORTED: readonly [name: string, why: string][] = [
  ["BackupSourceUrl", "backup sources"],
  ["BackupToUrl", "a second target"],
  ["TranscodeTemplateName", "transcoding"],
  [
    "RecordTemplateId",
    "recording templates on a task (record the target stream with a record rule)",
  ],
  ["BackupVodUrl", "backup files"],
];

function refuseUnsupported(p: Record<string, unknown>): void {
  for (const [name, why] of UNSUPPORTED) {
    const value = p[name];
    if (typeof value === "string" && value !== "") {
      throw unsupported(`${name}: OnAir's pull tasks have no ${why}`);
    }
  }
  if (typeof p.BackupSourceType === "string" && p.BackupSourceType !== "") {
    throw unsupported("BackupSourceType: OnAir's pull tasks have no backup sources");
  }
  if (Array.isArray(p.WatermarkList) && p.WatermarkList.length > 0) {
    throw unsupported("WatermarkList: OnAir relays streams as they are (no watermarks)");
  }
  if (p.VodLocalMode === 1) {
    throw unsupported("VodLocalMode 1: OnAir plays files from their URL (no local copies)");
  }
}

/** Tencent's PullPushWatermarkInfo, accepted only as an empty list. */
const watermark = z
  .object({
    PictureUrl: z.string(),
    XPosition: z.number(),
    YPosition: z.number(),
    Width: z.number(),
    Height: z.number(),
    Location: z.number(),
  })
  .strict();

const backupFields = {
  BackupSourceType: z.string().max(64).optional(),
  BackupSourceUrl: z.string().max(MAX_URL_LENGTH).optional(),
  WatermarkList: z.array(watermark).max(4).optional(),
  VodLocalMode: z.number().int().min(0).max(1).optional(),
  BackupToUrl: z.string().max(MAX_URL_LENGTH).optional(),
};

const createParams = z
  .object({
    SourceType: z.string().max(64),
    SourceUrls: sourceUrls,
    DomainName: z.string().max(253),
    AppName: z.string().max(128),
    StreamName: z.string().max(256),
    StartTime: tencentTime,
    EndTime: tencentTime,
    Operator: operator,
    PushArgs: pushArgs.optional(),
    CallbackEvents: callbackEvents.optional(),
    VodLoopTimes: vodLoopTimes.optional(),
    VodRefreshType: z.enum(VOD_REFRESH_TYPES).optional(),
    CallbackUrl: z.string().max(MAX_URL_LENGTH).optional(),
    ExtraCmd: z.string().max(1024).optional(),
    SpecifyTaskId: specifyTaskId.optional(),
    Comment: z.string().optional(),
    ToUrl: z.string().max(MAX_URL_LENGTH).optional(),
    FileIndex: z.number().int().min(0).optional(),
    OffsetTime: z.number().int().min(0).optional(),
    RecordTemplateId: z.string().max(64).optional(),
    TranscodeTemplateName: z.string().max(256).optional(),
    ...backupFields,
  })
  .strict();

const streamName = z
  .string()
  .min(1, "must not be empty")
  .max(256)
  .regex(/^[A-Za-z0-9_.~-]+$/, "only letters, digits, _, -, . and ~ are allowed");

/** The target: DomainName/AppName/StreamName as an OnAir push, or ToUrl with the three empty. */
function checkTarget(
  p: { DomainName: string; AppName: string; StreamName: string; ToUrl?: string | undefined },
  ctx: ActionContext,
): { domainName: string; appName: string; streamName: string; toUrl: string } {
  const toUrl = p.ToUrl ?? "";
  if (toUrl !== "") {
    if (p.DomainName !== "" || p.AppName !== "" || p.StreamName !== "") {
      throw targetError("with ToUrl, DomainName, AppName and StreamName must be empty strings");
    }
    checkUrl("ToUrl", toUrl, TARGET_SCHEMES, ctx, targetError);
    return { domainName: "", appName: "", streamName: "", toUrl };
  }
  const field = <T>(name: string, schema: z.ZodType<T>, value: unknown): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `${name}: ${parsed.error.issues[0]?.message ?? "invalid"} (or give ToUrl and leave it empty)`,
      );
    }
    return parsed.data;
  };
  return {
    domainName: field("DomainName", domainName, p.DomainName),
    appName: field("AppName", appName.min(1, "must not be empty"), p.AppName),
    streamName: field("StreamName", streamName, p.StreamName),
    toUrl: "",
  };
}

/** Tencent's PullStreamTaskInfo. RecentPullInfo only when one task was asked for. */
function describeTask(task: PullTask, withRecent: boolean) {
  const c = task.config;
  return {
    TaskId: task.id,
    SourceType: c.sourceType,
    SourceUrls: c.sourceUrls,
    DomainName: c.domainName,
    AppName: c.appName,
    StreamName: c.streamName,
    PushArgs: c.pushArgs,
    StartTime: formatUtcTime(task.startTime),
    EndTime: formatUtcTime(task.endTime),
    Region: "",
    VodLoopTimes: c.vodLoopTimes,
    VodRefreshType: c.vodRefreshType,
    CreateTime: formatUtcTime(task.createdAt),
    UpdateTime: formatUtcTime(task.updatedAt),
    CreateBy: task.createBy,
    UpdateBy: task.updateBy,
    CallbackUrl: c.callbackUrl,
    CallbackEvents: c.callbackEvents,
    CallbackInfo: "",
    ErrorInfo: "",
    Status: task.status,
    ...(withRecent
      ? {
          RecentPullInfo: {
            FileUrl: task.run.fileUrl,
            OffsetTime: Math.floor(task.run.offsetMs / 1000),
            ReportTime: task.run.reportTime ? formatUtcTime(task.run.reportTime) : "",
            LoopedTimes: task.run.loopedTimes,
          },
        }
      : {}),
    Comment: c.comment,
    BackupSourceType: "",
    BackupSourceUrl: "",
    WatermarkList: [],
    VodLocalMode: 0,
    RecordTemplateId: "",
    BackupToUrl: "",
    TranscodeTemplateName: "",
    ToUrl: c.toUrl,
  };
}

/** The task a TaskId names, or else the one created with SpecifyTaskId. */
async function findTask(ctx: ActionContext, taskId: string, specify: string | undefined) {
  const task =
    (taskId !== "" ? await ctx.store.pullTasks.get(taskId) : null) ??
    (specify ? await ctx.store.pullTasks.getBySpecifyId(specify) : null);
  if (!task) throw taskMissing(taskId || specify || '""');
  return task;
}

export const createLivePullStreamTask = defineAction({
  name: "CreateLivePullStreamTask",
  params: createParams,
  async run(p, ctx) {
    if (p.SourceType === "PullPicPushLive") {
      throw unsupported(
        "SourceType PullPicPushLive: OnAir relays live streams and files, not pictures",
      );
    }
    const sourceType = PULL_SOURCE_TYPES.find((t) => t === p.SourceType);
    if (!sourceType) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `SourceType must be ${PULL_SOURCE_TYPES.join(" or ")}, got ${JSON.stringify(p.SourceType.slice(0, 64))}`,
      );
    }
    refuseUnsupported(p);
    const specify = p.SpecifyTaskId ?? "";
    if (specify !== "") {
      // Tencent: the custom id keeps a repeated request from making a second task.
      const existing = await ctx.store.pullTasks.getBySpecifyId(specify);
      if (existing) return { TaskId: existing.id };
    }
    checkWindow(p.StartTime.date, p.EndTime.date, ctx);
    checkSources(sourceType, p.SourceUrls, ctx);
    const target = checkTarget(p, ctx);
    const config: PullTaskConfig = {
      sourceType,
      sourceUrls: p.SourceUrls,
      ...target,
      pushArgs: p.PushArgs ?? "",
      callbackUrl: p.CallbackUrl ?? "",
      callbackEvents: p.CallbackEvents ?? [],
      vodLoopTimes: p.VodLoopTimes ?? -1,
      vodRefreshType: p.VodRefreshType ?? "ImmediateNewSource",
      fileIndex: p.FileIndex ?? 0,
      offsetTime: p.OffsetTime ?? 0,
      comment: p.Comment ?? "",
    };
    checkCallbackUrl(config.callbackUrl, ctx);
    checkFileIndex(config);
    checkComment(config.comment);
    if ((await ctx.store.pullTasks.count()) >= ctx.config.pullTasks.maxTasks) {
      throw new OnAirError(
        "ONAIR_ERR_PULL_TASK_LIMIT",
        `${ctx.config.pullTasks.maxTasks} pull tasks exist already (pullTasks.maxTasks): delete one first`,
      );
    }
    const task = await ctx.store.pullTasks.create({
      id: newId("pull", ctx.clock.now().getTime()),
      specifyTaskId: specify,
      config,
      startTime: p.StartTime.date,
      endTime: p.EndTime.date,
      operator: p.Operator,
    });
    return { TaskId: task.id };
  },
});

export const describeLivePullStreamTasks = defineAction({
  name: "DescribeLivePullStreamTasks",
  params: z
    .object({
      TaskId: z.string().max(128).optional(),
      PageNum: z.number().int().min(1).max(100_000).optional(),
      PageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
      SpecifyTaskId: z.string().max(64).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const pageNum = p.PageNum ?? 1;
    const pageSize = p.PageSize ?? 10;
    const limits = { LimitTaskNum: ctx.config.pullTasks.maxTasks };
    if (p.TaskId || p.SpecifyTaskId) {
      const task = p.TaskId
        ? await ctx.store.pullTasks.get(p.TaskId)
        : await ctx.store.pullTasks.getBySpecifyId(p.SpecifyTaskId ?? "");
      const found = task ? [describeTask(task, true)] : [];
      return {
        TaskInfos: pageNum === 1 ? found : [],
        PageNum: pageNum,
        PageSize: pageSize,
        TotalNum: found.length,
        TotalPage: found.length,
        ...limits,
      };
    }
    const total = await ctx.store.pullTasks.count();
    const tasks = await ctx.store.pullTasks.list({
      offset: (pageNum - 1) * pageSize,
      limit: pageSize,
    });
    return {
      TaskInfos: tasks.map((t) => describeTask(t, false)),
      PageNum: pageNum,
      PageSize: pageSize,
      TotalNum: total,
      TotalPage: Math.ceil(total / pageSize),
      ...limits,
    };
  },
});

export const modifyLivePullStreamTask = defineAction({
  name: "ModifyLivePullStreamTask",
  params: z
    .object({
      TaskId: z.string().max(128),
      Operator: operator,
      SourceUrls: sourceUrls.optional(),
      StartTime: tencentTime.optional(),
      EndTime: tencentTime.optional(),
      VodLoopTimes: vodLoopTimes.optional(),
      VodRefreshType: z.enum(VOD_REFRESH_TYPES).optional(),
      Status: z.enum(["enable", "pause"]).optional(),
      CallbackEvents: callbackEvents.optional(),
      CallbackUrl: z.string().max(MAX_URL_LENGTH).optional(),
      FileIndex: z.number().int().min(0).optional(),
      OffsetTime: z.number().int().min(0).optional(),
      SpecifyTaskId: z.string().max(64).optional(),
      ToUrl: z.string().max(MAX_URL_LENGTH).optional(),
      Comment: z.string().optional(),
      BackupVodUrl: z.string().max(MAX_URL_LENGTH).optional(),
      ...backupFields,
    })
    .strict(),
  async run(p, ctx) {
    refuseUnsupported(p);
    const task = await findTask(ctx, p.TaskId, p.SpecifyTaskId);
    const old = task.config;
    const config: PullTaskConfig = {
      ...old,
      // New files start at the first unless FileIndex/OffsetTime say otherwise.
      ...(p.SourceUrls ? { sourceUrls: p.SourceUrls, fileIndex: 0, offsetTime: 0 } : {}),
      ...(p.CallbackUrl !== undefined ? { callbackUrl: p.CallbackUrl } : {}),
      ...(p.CallbackEvents ? { callbackEvents: p.CallbackEvents } : {}),
      ...(p.VodLoopTimes !== undefined ? { vodLoopTimes: p.VodLoopTimes } : {}),
      ...(p.VodRefreshType ? { vodRefreshType: p.VodRefreshType } : {}),
      ...(p.FileIndex !== undefined ? { fileIndex: p.FileIndex } : {}),
      ...(p.OffsetTime !== undefined ? { offsetTime: p.OffsetTime } : {}),
      ...(p.Comment !== undefined ? { comment: p.Comment } : {}),
    };
    if (p.SourceUrls) checkSources(old.sourceType, p.SourceUrls, ctx);
    if (p.ToUrl !== undefined && p.ToUrl !== old.toUrl) {
      if (old.toUrl === "") {
        throw targetError(
          "this task pushes to DomainName/AppName/StreamName; ToUrl applies only to a task created with ToUrl",
        );
      }
      checkUrl("ToUrl", p.ToUrl, TARGET_SCHEMES, ctx, targetError);
      config.toUrl = p.ToUrl;
    }
    const startTime = p.StartTime?.date ?? task.startTime;
    const endTime = p.EndTime?.date ?? task.endTime;
    if (p.StartTime || p.EndTime) checkWindow(startTime, endTime, ctx);
    checkCallbackUrl(config.callbackUrl, ctx);
    checkFileIndex(config);
    checkComment(config.comment);
    // Tencent: renewing EndTime alone "does not affect the running task"; a new source,
    // target or starting file does (VodRefreshType says when, for files).
    const relayChanged =
      JSON.stringify(config.sourceUrls) !== JSON.stringify(old.sourceUrls) ||
      config.toUrl !== old.toUrl ||
      p.FileIndex !== undefined ||
      p.OffsetTime !== undefined;
    await ctx.store.pullTasks.update(task.id, {
      config,
      startTime,
      endTime,
      status: p.Status ?? task.status,
      operator: p.Operator,
      relayChanged,
    });
    return {};
  },
});

const byTask = {
  TaskId: z.string().max(128),
  Operator: operator,
};

export const deleteLivePullStreamTask = defineAction({
  name: "DeleteLivePullStreamTask",
  params: z.object({ ...byTask, SpecifyTaskId: z.string().max(64).optional() }).strict(),
  async run(p, ctx) {
    // The node running it sees the row gone within a poll, stops and tells TaskExit.
    const task = await findTask(ctx, p.TaskId, p.SpecifyTaskId);
    await ctx.store.pullTasks.delete(task.id);
    return {};
  },
});

export const restartLivePullStreamTask = defineAction({
  name: "RestartLivePullStreamTask",
  params: z.object(byTask).strict(),
  async run(p, ctx) {
    // Tencent: restarting interrupts the push; a file task resumes (ContinueBreakPoint) or
    // starts over (ImmediateNewSource). A task whose files all played runs again.
    if (!(await ctx.store.pullTasks.restart(p.TaskId, p.Operator))) throw taskMissing(p.TaskId);
    return {};
  },
});

export const describeLivePullStreamTaskStatus = defineAction({
  name: "DescribeLivePullStreamTaskStatus",
  params: z.object({ TaskId: z.string().max(128) }).strict(),
  async run(p, ctx) {
    const task = await ctx.store.pullTasks.get(p.TaskId);
    if (!task) throw taskMissing(p.TaskId);
    const run = task.run;
    // A report older than the lease is from a node that is gone: nothing runs the task now.
    const fresh =
      run.reportTime !== null &&
      ctx.clock.now().getTime() - run.reportTime.getTime() < ctx.config.pullTasks.leaseMs;
    return {
      TaskStatusInfo: {
        FileUrl: run.fileUrl,
        LoopedTimes: run.loopedTimes,
        OffsetTime: Math.floor(run.offsetMs / 1000),
        ReportTime: run.reportTime ? formatUtcTime(run.reportTime) : "",
        RunStatus: fresh ? run.runStatus : "inactive",
        FileDuration: Math.round(run.fileDurationMs / 1000),
        NextFileUrl: run.nextFileUrl,
      },
    };
  },
});

export const pullStreamTaskActions = [
  createLivePullStreamTask,
  describeLivePullStreamTasks,
  modifyLivePullStreamTask,
  deleteLivePullStreamTask,
  restartLivePullStreamTask,
  describeLivePullStreamTaskStatus,
] as const;

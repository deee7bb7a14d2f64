import { z } from "zod";
import { newId } from "../../domain/ids.js";
import { OnAirError } from "../../errors.js";
import type { LiveTask, TaskKind } from "../../store/task-repository.js";
import { type ActionContext, type ApiAction, defineAction } from "../action.js";
import { appName, domainName } from "../fields.js";

/**
 * On-demand recording and screenshot tasks, Tencent's way: CreateRecordTask (Tencent 267/45983),
 * StopRecordTask (267/45981), DeleteRecordTask (267/45982), DescribeRecordTask, and
 * their screenshot twins CreateScreenshotTask (267/54799), StopScreenshotTask,
 * DeleteScreenshotTask and DescribeScreenshotTask. The node that holds the stream's publish
 * records or screenshots it from StartTime (now when absent) to EndTime, the stream live then
 * or pushed later within the window (events/task-runner.ts); see docs/recording.md, "Record
 * tasks", and docs/snapshots.md, "Screenshot tasks".
 *
 * Errors: Tencent documents only `InvalidParameter` for a bad task (plus service-state codes a
 * self-hosted server never has), so a window out of bounds, an unknown TemplateId and an
 * unknown TaskId all answer `InvalidParameter`; `StreamType` 1 (mixed streams, which OnAir does
 * not make) is `UnsupportedOperation`.
 */

const DAY_S = 86_400;
/** EndTime − StartTime at most 24 h; EndTime before now + 7 days; StartTime before now + 6 days. */
const MAX_WINDOW_S = DAY_S;
const MAX_END_AHEAD_S = 7 * DAY_S;
const MAX_START_AHEAD_S = 6 * DAY_S;
/** Describe…Task: a span of at most a week, from at most 90 days back. */
const MAX_QUERY_SPAN_S = 7 * DAY_S;
const MAX_QUERY_AGE_S = 90 * DAY_S;
/** Tasks per Describe…Task page; the rest follow with ScrollToken. */
const PAGE_SIZE = 100;

const streamName = z
  .string()
  .min(1, "must not be empty")
  .max(256, "at most 256 characters")
  .regex(/^[A-Za-z0-9_.~-]+$/, "only letters, digits, _, -, . and ~ are allowed");

const unixSeconds = z.number().int().min(0);

/** Tencent's task errors carry `InvalidParameter` (267/45983's error list). */
function invalid(message: string): OnAirError {
  return new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", message, {
    tencentCode: "InvalidParameter",
  });
}

/** The window checks of Create…Task; returns [start, end] in Unix seconds. */
function checkWindow(
  p: { StartTime?: number | undefined; EndTime: number },
  ctx: ActionContext,
): [number, number] {
  const now = Math.floor(ctx.clock.now().getTime() / 1000);
  const start = p.StartTime ?? now;
  const end = p.EndTime;
  if (end <= now) throw invalid("EndTime must be later than the current time");
  if (end <= start) throw invalid("EndTime must be later than StartTime");
  if (end - start > MAX_WINDOW_S) throw invalid("EndTime - StartTime must be at most 24 hours");
  if (end >= now + MAX_END_AHEAD_S) throw invalid("EndTime must be within 7 days from now");
  if (start > now + MAX_START_AHEAD_S) throw invalid("StartTime must be within 6 days from now");
  return [start, end];
}

function checkStreamType(streamType: number | undefined): number {
  if (streamType === 1) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      "StreamType 1 (mixed stream) is not supported: OnAir does not mix streams",
      { tencentCode: "UnsupportedOperation" },
    );
  }
  return streamType ?? 0;
}

function templateMissing(kind: TaskKind, id: number): OnAirError {
  return new OnAirError(
    "ONAIR_ERR_TEMPLATE_NOT_FOUND",
    `${kind === "record" ? "record" : "snapshot"} template ${id} does not exist`,
    { tencentCode: "InvalidParameter" },
  );
}

function taskMissing(id: string): OnAirError {
  return new OnAirError("ONAIR_ERR_TASK_NOT_FOUND", `task ${id} does not exist`, {
    tencentCode: "InvalidParameter",
  });
}

/** Tencent's RecordTask / ScreenshotTask (same fields). */
function describeTask(task: LiveTask) {
  return {
    TaskId: task.id,
    DomainName: task.domainName,
    AppName: task.appName,
    StreamName: task.streamName,
    StartTime: Math.floor(task.startTime.getTime() / 1000),
    EndTime: Math.floor(task.endTime.getTime() / 1000),
    TemplateId: task.templateId ?? 0,
    Stopped: task.stoppedAt ? Math.floor(task.stoppedAt.getTime() / 1000) : 0,
  };
}

const createParams = {
  StreamName: streamName,
  DomainName: domainName,
  AppName: appName,
  EndTime: unixSeconds,
  StartTime: unixSeconds.optional(),
  StreamType: z.number().int().min(0).max(1).optional(),
  Extension: z.string().max(4096).optional(),
};

async function create(
  kind: TaskKind,
  p: z.output<z.ZodObject<typeof createParams>>,
  templateId: number | null,
  ctx: ActionContext,
) {
  const [start, end] = checkWindow(p, ctx);
  const task = await ctx.store.tasks.create({
    id: newId(kind === "record" ? "rec" : "shot", ctx.clock.now().getTime()),
    kind,
    domainName: p.DomainName,
    appName: p.AppName,
    streamName: p.StreamName,
    startTime: new Date(start * 1000),
    endTime: new Date(end * 1000),
    templateId,
    streamType: checkStreamType(p.StreamType),
    extension: p.Extension ?? "",
  });
  return { TaskId: task.id };
}

export const createRecordTask = defineAction({
  name: "CreateRecordTask",
  params: z.object({ ...createParams, TemplateId: z.number().int().min(0).optional() }).strict(),
  async run(p, ctx) {
    // Tencent records with its default (HLS, kept forever) when TemplateId is absent or 0. An id
    // that names no template is refused here (Tencent would use the default): a typo should not
    // record in a format nobody asked for.
    const templateId = p.TemplateId ? p.TemplateId : null;
    if (templateId !== null && !(await ctx.store.recording.getTemplate(templateId))) {
      throw templateMissing("record", templateId);
    }
    return create("record", p, templateId, ctx);
  },
});

export const createScreenshotTask = defineAction({
  name: "CreateScreenshotTask",
  params: z.object({ ...createParams, TemplateId: z.number().int() }).strict(),
  async run(p, ctx) {
    // Tencent: "if an incorrect template ID is passed in, the task will fail" (267/54799).
    if (!(await ctx.store.snapshots.getTemplate(p.TemplateId))) {
      throw templateMissing("screenshot", p.TemplateId);
    }
    return create("screenshot", p, p.TemplateId, ctx);
  },
});

/** Stop…Task, Delete…Task and Describe…Task for one kind. */
function taskActions(kind: TaskKind, noun: "Record" | "Screenshot"): readonly ApiAction[] {
  const byId = z.object({ TaskId: z.string().min(1).max(256) }).strict();
  return [
    defineAction({
      name: `Stop${noun}Task`,
      params: byId,
      async run(p, ctx) {
        // The holding node's runner sees the mark within a second and ends the recording.
        if (!(await ctx.store.tasks.stop(kind, p.TaskId, ctx.clock.now()))) {
          throw taskMissing(p.TaskId);
        }
        return {};
      },
    }),
    defineAction({
      name: `Delete${noun}Task`,
      params: byId,
      async run(p, ctx) {
        // Tencent: deleting does not affect a running task, only later pushes (267/45982).
        if (!(await ctx.store.tasks.delete(kind, p.TaskId))) throw taskMissing(p.TaskId);
        return {};
      },
    }),
    defineAction({
      name: `Describe${noun}Task`,
      params: z
        .object({
          StartTime: unixSeconds,
          EndTime: unixSeconds,
          StreamName: z.string().max(256).optional(),
          DomainName: z.string().max(253).optional(),
          AppName: z.string().max(128).optional(),
          ScrollToken: z.string().max(64).optional(),
        })
        .strict(),
      async run(p, ctx) {
        const now = Math.floor(ctx.clock.now().getTime() / 1000);
        if (p.EndTime <= p.StartTime) throw invalid("EndTime must be later than StartTime");
        if (p.EndTime - p.StartTime > MAX_QUERY_SPAN_S) {
          throw invalid("EndTime - StartTime must be at most 7 days");
        }
        if (p.StartTime < now - MAX_QUERY_AGE_S) {
          throw invalid("StartTime must be within the last 90 days");
        }
        const token = p.ScrollToken ?? "";
        if (token !== "" && !/^\d{1,15}$/.test(token)) throw invalid("ScrollToken is not valid");
        const page = await ctx.store.tasks.list(kind, {
          from: new Date(p.StartTime * 1000),
          to: new Date(p.EndTime * 1000),
          ...(p.DomainName ? { domainName: p.DomainName.toLowerCase() } : {}),
          ...(p.AppName ? { appName: p.AppName } : {}),
          ...(p.StreamName ? { streamName: p.StreamName } : {}),
          after: token,
          limit: PAGE_SIZE,
        });
        return { ScrollToken: page.next, TaskList: page.tasks.map(describeTask) };
      },
    }),
  ];
}

export const recordTaskActions = taskActions("record", "Record");
export const screenshotTaskActions = taskActions("screenshot", "Screenshot");

import type { Clock } from "../domain/clock.js";
import type { StreamKey } from "../domain/stream-key.js";
import {
  date,
  dateOrNull,
  num,
  numOrNull,
  rowMapper,
  streamKeyColumns,
  text,
} from "./row-mappers.js";
import { many, one, type SqlRunner } from "./sql-runner.js";

/**
 * On-demand tasks, Tencent's way (CreateRecordTask, Tencent 267/45983; CreateScreenshotTask,
 * Tencent 267/54799): one stream, a window from StartTime to EndTime, a template, and the time
 * a Stop…Task ended it early. The node that holds the stream's publish carries a task out
 * (events/task-runner.ts); the row is what every node agrees on.
 */
export type TaskKind = "record" | "screenshot";

export interface LiveTask extends StreamKey {
  id: string;
  kind: TaskKind;
  startTime: Date;
  endTime: Date;
  /** null: Tencent's default (recording: HLS kept forever). */
  templateId: number | null;
  streamType: number;
  extension: string;
  /** When Stop…Task ended it; null while it was never stopped. */
  stoppedAt: Date | null;
  createdAt: Date;
}

/** One page of a listing and the token of the next (`""` on the last page). */
export interface TaskPage {
  tasks: LiveTask[];
  next: string;
}

export interface TaskRepository {
  create(input: Omit<LiveTask, "stoppedAt" | "createdAt">): Promise<LiveTask>;
  get(kind: TaskKind, id: string): Promise<LiveTask | null>;
  /**
   * Tasks whose whole window lies within [from, to] (Tencent: "the task's start and end times
   * must be within the query range"), optionally of one stream's names, in creation order,
   * `limit` at a time after the page token `after`.
   */
  list(
    kind: TaskKind,
    filter: Partial<StreamKey> & { from: Date; to: Date; after: string; limit: number },
  ): Promise<TaskPage>;
  /** Marks a task stopped at `at` (once: a second stop keeps the first time); false if unknown. */
  stop(kind: TaskKind, id: string, at: Date): Promise<boolean>;
  /** Removes a task's record; false if unknown. */
  delete(kind: TaskKind, id: string): Promise<boolean>;
  /** Tasks whose window contains `at`, stopped ones included (their runner ends them). */
  inWindow(kind: TaskKind, at: Date): Promise<LiveTask[]>;
}

const COLUMNS =
  "seq, task_id, kind, domain_name, app_name, stream_name, start_time, end_time, template_id, stream_type, extension, stopped_at, created_at";

const toTask = rowMapper<LiveTask & { seq: number }>({
  seq: num,
  id: ["task_id", text],
  kind: (value) => (value === "screenshot" ? "screenshot" : "record"),
  ...streamKeyColumns,
  startTime: date,
  endTime: date,
  templateId: numOrNull,
  streamType: num,
  extension: text,
  stoppedAt: dateOrNull,
  createdAt: date,
});

function withoutSeq({ seq: _seq, ...task }: LiveTask & { seq: number }): LiveTask {
  return task;
}

export function createTaskRepository(sql: SqlRunner, clock: Clock): TaskRepository {
  return {
    async create(input) {
      const createdAt = clock.now();
      await sql.run(
        `INSERT INTO live_tasks (task_id, kind, domain_name, app_name, stream_name, start_time,
           end_time, template_id, stream_type, extension, stopped_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
        [
          input.id,
          input.kind,
          input.domainName,
          input.appName,
          input.streamName,
          input.startTime.getTime(),
          input.endTime.getTime(),
          input.templateId,
          input.streamType,
          input.extension,
          createdAt.getTime(),
        ],
      );
      return { ...input, stoppedAt: null, createdAt };
    },
    async get(kind, id) {
      const task = await one(
        sql,
        `SELECT ${COLUMNS} FROM live_tasks WHERE kind = ? AND task_id = ?`,
        [kind, id],
        toTask,
      );
      return task && withoutSeq(task);
    },
    async list(kind, filter) {
      const where = ["kind = ?", "start_time >= ?", "end_time <= ?"];
      const args: unknown[] = [kind, filter.from.getTime(), filter.to.getTime()];
      for (const [column, value] of [
        ["domain_name", filter.domainName],
        ["app_name", filter.appName],
        ["stream_name", filter.streamName],
      ] as const) {
        if (value) {
          where.push(`${column} = ?`);
          args.push(value);
        }
      }
      const after = Number(filter.after);
      if (filter.after !== "" && Number.isSafeInteger(after)) {
        where.push("seq > ?");
        args.push(after);
      }
      // One row past the page says whether there is a next one.
      const rows = await many(
        sql,
        `SELECT ${COLUMNS} FROM live_tasks WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`,
        [...args, filter.limit + 1],
        toTask,
      );
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return {
        tasks: page.map(withoutSeq),
        next: rows.length > filter.limit && last ? String(last.seq) : "",
      };
    },
    async stop(kind, id, at) {
      const changed = await sql.run(
        "UPDATE live_tasks SET stopped_at = COALESCE(stopped_at, ?) WHERE kind = ? AND task_id = ?",
        [at.getTime(), kind, id],
      );
      return changed > 0;
    },
    async delete(kind, id) {
      return (
        (await sql.run("DELETE FROM live_tasks WHERE kind = ? AND task_id = ?", [kind, id])) > 0
      );
    },
    async inWindow(kind, at) {
      const ms = at.getTime();
      const rows = await many(
        sql,
        `SELECT ${COLUMNS} FROM live_tasks WHERE kind = ? AND end_time > ? AND start_time <= ?`,
        [kind, ms, ms],
        toTask,
      );
      return rows.map(withoutSeq);
    },
  };
}

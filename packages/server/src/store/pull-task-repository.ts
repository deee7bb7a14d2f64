import type { Clock } from "../domain/clock.js";
import type {
  PullTask,
  PullTaskConfig,
  PullTaskRunState,
  PullTaskStatus,
} from "../domain/pull-task.js";
import { date, dateOrNull, json, num, numOrNull, parsed, rowMapper, text } from "./row-mappers.js";
import { many, one, type SqlRunner } from "./sql-runner.js";

/**
 * Pull-and-relay tasks (migration 0016): the row every node agrees on, and the lease that lets
 * exactly one node run a task. A node takes a task with `acquire` (a free lease, an expired one or
 * its own), keeps it by reporting within the lease, and hands it back with `release` or `finish`.
 */
export interface PullTaskRepository {
  create(input: {
    id: string;
    specifyTaskId: string;
    config: PullTaskConfig;
    startTime: Date;
    endTime: Date;
    operator: string;
  }): Promise<PullTask>;
  get(id: string): Promise<PullTask | null>;
  /** The task created with this SpecifyTaskId, if any. */
  getBySpecifyId(specifyTaskId: string): Promise<PullTask | null>;
  count(): Promise<number>;
  /** Most recently updated first (Tencent's order), `limit` from `offset`. */
  list(options: { offset: number; limit: number }): Promise<PullTask[]>;
  /**
   * Replaces what ModifyLivePullStreamTask changes; `relayChanged` bumps configVersion (the
   * running node applies it). False when the task does not exist.
   */
  update(
    id: string,
    change: {
      config: PullTaskConfig;
      startTime: Date;
      endTime: Date;
      status: PullTaskStatus;
      operator: string;
      relayChanged: boolean;
    },
  ): Promise<boolean>;
  /** Bumps restartVersion (a finished run may run again); false when the task does not exist. */
  restart(id: string, operator: string): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** Enabled tasks whose window contains `at`. */
  inWindow(at: Date): Promise<PullTask[]>;
  /** Takes or keeps the task's lease for `owner` until `at + leaseMs`; false when another holds it. */
  acquire(id: string, owner: string, at: Date, leaseMs: number): Promise<boolean>;
  /** Records the run state and extends the lease; false when `owner` no longer holds it. */
  report(
    id: string,
    owner: string,
    state: Omit<PullTaskRunState, "reportTime">,
    at: Date,
    leaseMs: number,
  ): Promise<boolean>;
  /** Gives the lease up and marks the run inactive (the row stays as it was otherwise). */
  release(id: string, owner: string): Promise<void>;
  /** Marks the run `restartVersion` as done (every round played) and gives the lease up. */
  finish(id: string, owner: string, restartVersion: number): Promise<void>;
}

const COLUMNS = `task_id, specify_task_id, config, start_time, end_time, status, create_by, update_by,
  config_version, restart_version, done_version, run_status, file_url, file_index, next_file_url,
  file_duration_ms, offset_ms, looped_times, last_error, report_time, created_at, updated_at`;

const toRunState = rowMapper<PullTaskRunState>({
  runStatus: (value) => (value === "active" ? "active" : "inactive"),
  fileUrl: text,
  fileIndex: num,
  nextFileUrl: text,
  fileDurationMs: num,
  offsetMs: num,
  loopedTimes: num,
  lastError: text,
  reportTime: dateOrNull,
});

const toTaskFields = rowMapper<Omit<PullTask, "run">>({
  id: ["task_id", text],
  specifyTaskId: (value) => (value === null || value === undefined ? "" : String(value)),
  config: parsed<PullTaskConfig>(),
  startTime: date,
  endTime: date,
  status: (value) => (value === "pause" ? "pause" : "enable"),
  createBy: text,
  updateBy: text,
  configVersion: num,
  restartVersion: num,
  doneVersion: numOrNull,
  createdAt: date,
  updatedAt: date,
});

const toTask = (row: Record<string, unknown>): PullTask => ({
  ...toTaskFields(row),
  run: toRunState(row),
});

export function createPullTaskRepository(sql: SqlRunner, clock: Clock): PullTaskRepository {
  const byId = (id: string) =>
    one(sql, `SELECT ${COLUMNS} FROM pull_tasks WHERE task_id = ?`, [id], toTask);
  return {
    async create(input) {
      const at = clock.now().getTime();
      await sql.run(
        `INSERT INTO pull_tasks (task_id, specify_task_id, config, start_time, end_time, status,
           create_by, update_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'enable', ?, ?, ?, ?)`,
        [
          input.id,
          input.specifyTaskId === "" ? null : input.specifyTaskId,
          json(input.config),
          input.startTime.getTime(),
          input.endTime.getTime(),
          input.operator,
          input.operator,
          at,
          at,
        ],
      );
      const created = await byId(input.id);
      if (!created) throw new Error(`pull task ${input.id} vanished after its insert`);
      return created;
    },
    get: byId,
    getBySpecifyId: (specifyTaskId) =>
      one(
        sql,
        `SELECT ${COLUMNS} FROM pull_tasks WHERE specify_task_id = ?`,
        [specifyTaskId],
        toTask,
      ),
    async count() {
      const row = await one(sql, "SELECT COUNT(*) AS n FROM pull_tasks", [], (r) => Number(r.n));
      return row ?? 0;
    },
    list: ({ offset, limit }) =>
      many(
        sql,
        `SELECT ${COLUMNS} FROM pull_tasks ORDER BY updated_at DESC, seq DESC LIMIT ? OFFSET ?`,
        [limit, offset],
        toTask,
      ),
    async update(id, change) {
      const changed = await sql.run(
        `UPDATE pull_tasks SET config = ?, start_time = ?, end_time = ?, status = ?, update_by = ?,
           config_version = config_version + ?, updated_at = ?
         WHERE task_id = ?`,
        [
          json(change.config),
          change.startTime.getTime(),
          change.endTime.getTime(),
          change.status,
          change.operator,
          change.relayChanged ? 1 : 0,
          clock.now().getTime(),
          id,
        ],
      );
      return changed > 0;
    },
    async restart(id, operator) {
      const changed = await sql.run(
        `UPDATE pull_tasks SET restart_version = restart_version + 1, update_by = ?, updated_at = ?
         WHERE task_id = ?`,
        [operator, clock.now().getTime(), id],
      );
      return changed > 0;
    },
    async delete(id) {
      return (await sql.run("DELETE FROM pull_tasks WHERE task_id = ?", [id])) > 0;
    },
    inWindow(at) {
      const ms = at.getTime();
      return many(
        sql,
        `SELECT ${COLUMNS} FROM pull_tasks
         WHERE end_time > ? AND start_time <= ? AND status = 'enable'`,
        [ms, ms],
        toTask,
      );
    },
    async acquire(id, owner, at, leaseMs) {
      const ms = at.getTime();
      const changed = await sql.run(
        `UPDATE pull_tasks SET lease_owner = ?, lease_expires_at = ?
         WHERE task_id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at < ?)`,
        [owner, ms + leaseMs, id, owner, ms],
      );
      return changed > 0;
    },
    async report(id, owner, state, at, leaseMs) {
      const ms = at.getTime();
      const changed = await sql.run(
        `UPDATE pull_tasks SET run_status = ?, file_url = ?, file_index = ?, next_file_url = ?,
           file_duration_ms = ?, offset_ms = ?, looped_times = ?, last_error = ?, report_time = ?,
           lease_expires_at = ?
         WHERE task_id = ? AND lease_owner = ?`,
        [
          state.runStatus,
          state.fileUrl,
          state.fileIndex,
          state.nextFileUrl,
          Math.round(state.fileDurationMs),
          Math.round(state.offsetMs),
          state.loopedTimes,
          state.lastError.slice(0, 1024),
          ms,
          ms + leaseMs,
          id,
          owner,
        ],
      );
      return changed > 0;
    },
    async release(id, owner) {
      await sql.run(
        `UPDATE pull_tasks SET lease_owner = NULL, lease_expires_at = NULL, run_status = 'inactive'
         WHERE task_id = ? AND lease_owner = ?`,
        [id, owner],
      );
    },
    async finish(id, owner, restartVersion) {
      await sql.run(
        `UPDATE pull_tasks SET done_version = ?, lease_owner = NULL, lease_expires_at = NULL,
           run_status = 'inactive'
         WHERE task_id = ? AND lease_owner = ?`,
        [restartVersion, id, owner],
      );
    },
  };
}

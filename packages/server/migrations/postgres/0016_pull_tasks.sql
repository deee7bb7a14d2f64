-- Pull-and-relay tasks (Tencent's CreateLivePullStreamTask, 267/56245). Times are epoch
-- milliseconds; `config` is the task's parameters as JSON (domain/pull-task.ts, PullTaskConfig).
-- config_version counts Modify calls that change what is relayed, restart_version Restart calls;
-- done_version is the restart_version whose run finished (every VodLoopTimes round played).
-- lease_owner/lease_expires_at: the one node that runs the task (events/pull-tasks/);
-- the run_* and file_* columns are what that node last reported (DescribeLivePullStreamTaskStatus).
CREATE TABLE pull_tasks (
  seq BIGSERIAL PRIMARY KEY,
  task_id TEXT NOT NULL UNIQUE,
  specify_task_id TEXT UNIQUE,
  config TEXT NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT NOT NULL,
  status TEXT NOT NULL,
  create_by TEXT NOT NULL,
  update_by TEXT NOT NULL,
  config_version INTEGER NOT NULL DEFAULT 0,
  restart_version INTEGER NOT NULL DEFAULT 0,
  done_version INTEGER,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  run_status TEXT NOT NULL DEFAULT 'inactive',
  file_url TEXT NOT NULL DEFAULT '',
  file_index INTEGER NOT NULL DEFAULT 0,
  next_file_url TEXT NOT NULL DEFAULT '',
  file_duration_ms BIGINT NOT NULL DEFAULT 0,
  offset_ms BIGINT NOT NULL DEFAULT 0,
  looped_times INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  report_time BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX pull_tasks_by_end ON pull_tasks (end_time);
CREATE INDEX pull_tasks_by_update ON pull_tasks (updated_at, seq);

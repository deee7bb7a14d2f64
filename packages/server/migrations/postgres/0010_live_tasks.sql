-- On-demand recording and screenshot tasks (Tencent's CreateRecordTask and CreateScreenshotTask),
-- issue 13. Times are epoch milliseconds; template_id NULL is Tencent's default template;
-- stopped_at is when StopRecordTask/StopScreenshotTask ended the task early.
CREATE TABLE live_tasks (
  seq BIGSERIAL PRIMARY KEY,
  task_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT NOT NULL,
  template_id BIGINT,
  stream_type INTEGER NOT NULL,
  extension TEXT NOT NULL,
  stopped_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX live_tasks_by_end ON live_tasks (kind, end_time);

-- On-demand recording and screenshot tasks (Tencent's CreateRecordTask and CreateScreenshotTask),
-- issue 13. Times are epoch milliseconds; template_id NULL is Tencent's default template;
-- stopped_at is when StopRecordTask/StopScreenshotTask ended the task early.
CREATE TABLE live_tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER NOT NULL,
  template_id INTEGER,
  stream_type INTEGER NOT NULL,
  extension TEXT NOT NULL,
  stopped_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX live_tasks_by_end ON live_tasks (kind, end_time);

-- Record templates and rules (Tencent's CreateLiveRecordTemplate / CreateLiveRecordRule), issue 5.
CREATE TABLE record_templates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  params TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE record_rules (
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  template_id INTEGER NOT NULL REFERENCES record_templates (id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (domain_name, app_name, stream_name)
);

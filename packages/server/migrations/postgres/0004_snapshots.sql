-- Snapshot templates and rules (Tencent's CreateLiveSnapshotTemplate / CreateLiveSnapshotRule), issue 5.
CREATE TABLE snapshot_templates (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  snapshot_interval INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  porn_flag INTEGER NOT NULL,
  cos TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE snapshot_rules (
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  template_id BIGINT NOT NULL REFERENCES snapshot_templates (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (domain_name, app_name, stream_name)
);

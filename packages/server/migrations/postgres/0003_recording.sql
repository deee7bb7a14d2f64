-- Record templates and rules (Tencent's CreateLiveRecordTemplate / CreateLiveRecordRule), issue 5.
CREATE TABLE record_templates (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  params TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE record_rules (
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  template_id BIGINT NOT NULL REFERENCES record_templates (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (domain_name, app_name, stream_name)
);

-- OnAir schema, PostgreSQL (same shape as SQLite so one row mapping serves both). Times are epoch milliseconds; structured fields are JSON text.
CREATE TABLE domains (
  name TEXT PRIMARY KEY,
  type BIGINT NOT NULL,
  push_auth TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE callback_templates (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  urls TEXT NOT NULL,
  record_exception_levels TEXT NOT NULL,
  callback_key TEXT NOT NULL,
  previous_keys TEXT NOT NULL,
  retry_policy TEXT,
  per_stream_ordering BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE callback_rules (
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  template_id BIGINT NOT NULL REFERENCES callback_templates (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (domain_name, app_name)
);

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  event_type BIGINT NOT NULL,
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  body TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX events_by_stream ON events (stream_id, created_at);
CREATE INDEX events_by_time ON events (created_at);

CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL REFERENCES events (id),
  template_id BIGINT NOT NULL,
  url TEXT NOT NULL,
  event_type BIGINT NOT NULL,
  stream_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  policy TEXT NOT NULL,
  ordering_key TEXT,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_ordering_key ON deliveries (ordering_key, created_at)
  WHERE ordering_key IS NOT NULL;
CREATE INDEX deliveries_by_time ON deliveries (created_at);

CREATE TABLE attempts (
  delivery_id TEXT NOT NULL REFERENCES deliveries (id),
  number BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  status_code BIGINT,
  error_code TEXT,
  error_message TEXT,
  request_body TEXT NOT NULL,
  response_snippet TEXT,
  PRIMARY KEY (delivery_id, number)
);

CREATE TABLE endpoints (
  url TEXT PRIMARY KEY,
  failing_since BIGINT,
  disabled_at BIGINT,
  disabled_reason TEXT
);

-- Live publishes (global across nodes), forbidden streams, and node heartbeats (issue 4).
CREATE TABLE live_streams (
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  sequence TEXT NOT NULL,
  node_id TEXT NOT NULL,
  server_ip TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  stream_param TEXT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  drop_errcode INTEGER,
  PRIMARY KEY (domain_name, app_name, stream_name)
);
CREATE INDEX live_streams_by_node ON live_streams (node_id);

CREATE TABLE forbidden_streams (
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  forbidden_at INTEGER NOT NULL,
  resume_at INTEGER,
  reason TEXT NOT NULL,
  PRIMARY KEY (domain_name, app_name, stream_name)
);

CREATE TABLE nodes (
  node_id TEXT PRIMARY KEY,
  heartbeat_at INTEGER NOT NULL
);

-- Operator alerts (docs/alerts.md): the current state of each alert that has one (the queue-age
-- alert), so that a crossing is told once across every node sharing the store; and dashboard
-- sign-ins, kept by the SHA-256 of their token, so a session works through any node.
CREATE TABLE alert_state (
  name TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  changed_at BIGINT NOT NULL
);
CREATE TABLE dashboard_sessions (
  token_hash TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
-- The dashboard's live feed on several nodes reads recent events with their delivery counts.
CREATE INDEX deliveries_by_event ON deliveries (event_id);

-- The callback origin (scheme://host[:port]) of each delivery, so a claim can skip an origin that
-- already has its share of in-flight attempts (issue 11: one hanging receiver starved the others),
-- and an index for the oldest-pending figure of /metrics (no table scan).
ALTER TABLE deliveries ADD COLUMN origin TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET origin = CASE
  WHEN instr(url, '://') = 0 THEN url
  WHEN instr(substr(url, instr(url, '://') + 3), '/') = 0 THEN lower(url)
  ELSE lower(substr(url, 1, instr(url, '://') + 1 + instr(substr(url, instr(url, '://') + 3), '/')))
END;
CREATE INDEX deliveries_due_by_origin ON deliveries (status, origin, next_attempt_at);
CREATE INDEX deliveries_pending_age ON deliveries (status, created_at);
CREATE TABLE health_probe (node TEXT PRIMARY KEY, at INTEGER NOT NULL);

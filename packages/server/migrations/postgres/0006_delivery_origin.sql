-- The callback origin (scheme://host[:port]) of each delivery, so a claim can skip an origin that
-- already has its share of in-flight attempts (issue 11: one hanging receiver starved the others),
-- and an index for the oldest-pending figure of /metrics (no table scan).
ALTER TABLE deliveries ADD COLUMN origin TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET origin = COALESCE(lower(substring(url from '^[^:/?#]+://[^/?#]*')), url);
CREATE INDEX deliveries_due_by_origin ON deliveries (status, origin, next_attempt_at);
CREATE INDEX deliveries_pending_age ON deliveries (status, created_at);
CREATE TABLE health_probe (node TEXT PRIMARY KEY, at BIGINT NOT NULL);

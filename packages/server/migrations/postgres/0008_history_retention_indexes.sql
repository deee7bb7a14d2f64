-- Issue 15: the history sweep (store/history-repository.ts) probes an event's deliveries, and
-- deleting an event checks that none still refers to it: both by event_id. The delivery log
-- (DescribeCallbackRecordsList, the dashboard) lists one stream's deliveries newest first: by
-- stream_id and created_at instead of walking the whole time range. Releasing a node's leases
-- (graceful stop) reads the few leased rows, not every row: a partial index.
CREATE INDEX IF NOT EXISTS deliveries_by_event ON deliveries (event_id);
CREATE INDEX deliveries_by_stream ON deliveries (stream_id, created_at);
CREATE INDEX deliveries_leased ON deliveries (lease_owner) WHERE lease_owner IS NOT NULL;

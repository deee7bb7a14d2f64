-- The history sweep (store/history-repository.ts) probes an event's deliveries by event_id
-- (deliveries_by_event, migration 0007). The delivery log (DescribeCallbackRecordsList, the
-- dashboard) lists one stream's deliveries newest first: by stream_id and created_at instead of
-- walking the whole time range. Releasing a node's leases (graceful stop) reads the few leased
-- rows, not every row: a partial index.
CREATE INDEX deliveries_by_stream ON deliveries (stream_id, created_at);
CREATE INDEX deliveries_leased ON deliveries (lease_owner) WHERE lease_owner IS NOT NULL;

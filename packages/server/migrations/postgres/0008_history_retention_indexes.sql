-- Issue 15: the history sweep (store/history-repository.ts) probes an event's deliveries, and
-- deleting an event checks that none still refers to it: both by event_id. The delivery log
-- (DescribeCallbackRecordsList, the dashboard) lists one stream's deliveries newest first: by
-- stream_id and created_at instead of walking the whole time range.
CREATE INDEX deliveries_by_event ON deliveries (event_id);
CREATE INDEX deliveries_by_stream ON deliveries (stream_id, created_at);

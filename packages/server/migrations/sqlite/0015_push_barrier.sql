-- The publish a delivery belongs to (`domain/app/stream|sequence`; null when none), so that a
-- publish's other callbacks are not claimed while its push (event 1) is pending or in flight
-- (docs/architecture.md, "Delivery order"). The index holds only pending pushes: the claim's check is one
-- seek into a small index, however many deliveries there are.
ALTER TABLE deliveries ADD COLUMN publish_key TEXT;
CREATE INDEX deliveries_pending_push ON deliveries (publish_key)
  WHERE event_type = 1 AND status = 'pending';

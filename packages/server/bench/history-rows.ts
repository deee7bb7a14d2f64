import { type BenchStore, series } from "./bench-stores.js";

/**
 * Fills `count` delivered events, each with one delivery and one attempt (3 × count rows), created
 * one millisecond apart ending at `endMs`, over 10,000 streams (h0…h9999, apart from the live s0…s199): three INSERT … SELECT statements,
 * with the secondary indexes dropped meanwhile and built again after (several times faster than
 * maintaining them row by row; the schema ends as the migrations made it).
 */
export async function fillHistory(bench: BenchStore, count: number, endMs: number): Promise<void> {
  const start = endMs - count;
  const indexes = await bench.indexes(["events", "deliveries", "attempts"]);
  for (const index of indexes) await bench.exec(`DROP INDEX ${index.name}`);
  await bench.exec(
    `${series(count, bench.driver)} INSERT INTO events (id, event_type, domain_name, app_name, stream_id, body, source, created_at)
     SELECT 'evt_h' || i, 1, 'bench.example', 'live', 'h' || (i % 10000), '{"event_type":1}', 'intake', ${start} + i FROM n`,
  );
  await bench.exec(
    `${series(count, bench.driver)} INSERT INTO deliveries (id, event_id, template_id, url, origin, event_type, stream_id, status,
       attempts, next_attempt_at, policy, ordering_key, created_at, updated_at)
     SELECT 'msg_h' || i, 'evt_h' || i, 1, 'http://127.0.0.1:9/h', 'http://127.0.0.1:9', 1, 'h' || (i % 10000),
       'delivered', 1, ${start} + i, '{}', NULL, ${start} + i, ${start} + i FROM n`,
  );
  await bench.exec(
    `${series(count, bench.driver)} INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error_code,
       error_message, request_body, response_snippet)
     SELECT 'msg_h' || i, 1, ${start} + i, 3, 200, NULL, NULL, '{"event_type":1}', 'ok' FROM n`,
  );
  for (const index of indexes) await bench.exec(index.sql);
  await bench.exec("ANALYZE");
}

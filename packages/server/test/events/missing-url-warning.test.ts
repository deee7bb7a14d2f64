import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EventType } from "@onair/callbacks";
import { routeCallbacks } from "../helpers/callback-route.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

/**
 * The committer's "callback.url-missing" (issue 14): an event whose matched template has no URL
 * for its type is stored without deliveries and warned once per template and type; events that
 * have a URL, or that no rule matches, are not warned about.
 */

let node: TestOnAir;
const logs = captureLogs("warn");
let templateId = 0;

before(async () => {
  node = await startTestOnAir({ logger: logs.logger });
  const template = await routeCallbacks(node.onair.store, {
    domainName: "warn.example",
    urls: { StreamBeginNotifyUrl: "http://127.0.0.1:9/callbacks" },
    callbackKey: "WarnKey",
  });
  templateId = template.id;
});
after(() => node?.stop());

const commit = (domainName: string, eventType: number, stream: string) =>
  node.onair.events.commit({
    body: { event_type: eventType, stream_id: stream },
    domainName,
    appName: "live",
    streamId: stream,
    source: "intake",
  });
const warnings = () => logs.lines.filter((l) => "urlField" in l);

test("three recording files, two screenshots: one warning per type, no deliveries, events stored", async () => {
  for (const stream of ["a", "b", "c"]) {
    const { deliveryIds } = await commit("warn.example", EventType.RecordFile, stream);
    assert.deepEqual(deliveryIds, []);
  }
  await commit("warn.example", EventType.Snapshot, "a");
  await commit("warn.example", EventType.Snapshot, "b");
  assert.deepEqual(
    warnings().map((l) => [l.templateId, l.eventType, l.urlField, l.stream]),
    [
      [templateId, 100, "RecordNotifyUrl", "warn.example/live/a"],
      [templateId, 200, "SnapshotNotifyUrl", "warn.example/live/a"],
    ],
  );
  const stored = await node.onair.store.events.list({ streamId: "c", limit: 5 });
  assert.equal(stored.length, 1, "the event without a URL is still in the history");
});

test("an event with a URL, or on a domain with no rule, is not warned about", async () => {
  const before = warnings().length;
  const { deliveryIds } = await commit("warn.example", EventType.Push, "d");
  assert.equal(deliveryIds.length, 1);
  await commit("no-rule.example", EventType.RecordFile, "e");
  assert.equal(warnings().length, before);
});

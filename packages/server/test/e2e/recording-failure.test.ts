import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { quietPeriod } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

/**
 * A recorder that fails (here: the configured ffmpeg does not exist) is reported as what OnAir
 * observed — recording status record_error (332) and a recording exception (341) — and never
 * touches the live stream: its push and interruption still arrive.
 */
let h: IngestHarness;
before(async () => {
  h = await startIngestHarness(
    { idleTimeoutMs: 10_000 },
    { recording: { minIntervalSeconds: 1, ffmpegPath: "/nonexistent/ffmpeg" } },
  );
  const template = await h.onair.store.recording.createTemplate({
    name: "mp4",
    description: "",
    params: { Mp4: { RecordInterval: 2, StorageTime: 0, Enable: 1 } },
  });
  await h.onair.store.recording.upsertRule({
    domainName: TEST_DOMAIN,
    appName: "",
    streamName: "",
    templateId: template.id,
  });
});
after(async () => {
  await h.stop();
});

test("ffmpeg missing: 332 record_error and a 341 exception; the stream is unaffected", async () => {
  const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/unrecordable"), { seconds: 2 });
  const [push] = await h.events("unrecordable", 1);
  const [exception] = await h.events("unrecordable", 341);
  assert.equal(exception?.exception_level, "error");
  assert.match(JSON.stringify(exception?.exception), /ffmpeg could not start/);
  // Tencent 267/68622: -104, writing frames into the container failed; MP4 is "mp4".
  assert.equal((exception?.exception as { type?: number } | undefined)?.type, -104);
  assert.equal(exception?.file_format, "mp4");
  const statuses = await h.events("unrecordable", 332, 2);
  assert.deepEqual(statuses.map((s) => s.record_event).sort(), [
    "record_error",
    "record_start_succeeded",
  ]);
  assert.equal((await ffmpeg.exited).code, 0);
  const metrics = await (await fetch(`http://127.0.0.1:${h.onair.httpPort}/metrics`)).text();
  assert.match(metrics, /onair_recording_failures_total\{format="mp4"\} 1/);
  const [end] = await h.events("unrecordable", 0);
  assert.equal(end?.errcode, 1);
  assert.equal(end?.sequence, push?.sequence);
});

test("RecordExceptionLevels without error: no 341 of level error is sent", async () => {
  await h.sdk.ModifyLiveCallbackTemplate({
    TemplateId: h.templateId,
    RecordExceptionLevels: ["info", "warning"],
  });
  const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/filtered"), { seconds: 2 });
  const statuses = await h.events("filtered", 332, 2);
  assert.ok(statuses.some((s) => s.record_event === "record_error"));
  assert.equal((await ffmpeg.exited).code, 0);
  await h.events("filtered", 0);
  await quietPeriod(500);
  const sent = h.receiver.received.filter(
    (r) => r.event?.stream_id === "filtered" && r.event?.event_type === 341,
  );
  assert.equal(sent.length, 0, "the template lists info and warning only");
  await h.sdk.ModifyLiveCallbackTemplate({ TemplateId: h.templateId, RecordExceptionLevels: [] });
});

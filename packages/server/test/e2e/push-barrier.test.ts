import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";
import { type ReceiverProcess, startReceiver } from "./receiver.js";

const PUSH_ANSWER_DELAY_MS = 1000;

/**
 * The push barrier end to end: a real ffmpeg publish (H.264, so the push is committed at once and
 * the recording's 332 right after it), its push (event 1) sent to a receiver that answers only
 * after 1 s, everything else to another receiver. Without the barrier the dispatcher POSTed the
 * 332 while the push was still waiting for its answer; with it, the 332s, 100s and the 0 of the
 * publish arrive only after the push's response is in.
 */
describe("push barrier: a publish's callbacks wait for its push's answer", () => {
  let h: IngestHarness;
  let slow: ReceiverProcess;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000 },
      { recording: { minIntervalSeconds: 1 } },
    );
    slow = await startReceiver({ key: "IngestKey123", script: `delay:${PUSH_ANSWER_DELAY_MS}` });
    await h.sdk.ModifyLiveCallbackTemplate({
      TemplateId: h.templateId,
      StreamBeginNotifyUrl: slow.url,
    });
    const { TemplateId: record } = await h.sdk.CreateLiveRecordTemplate({
      TemplateName: "barrier",
      FlvParam: { RecordInterval: 1, StorageTime: 0, Enable: 1 },
    });
    await h.sdk.CreateLiveRecordRule({
      DomainName: TEST_DOMAIN,
      AppName: "live",
      TemplateId: record as number,
    });
  });
  after(async () => {
    await h?.stop();
    await slow?.stop();
  });

  test("332, 100 and 0 reach their receiver only after the push is answered", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/barrier"), { seconds: 3, size: "320x240" });
    const exit = await ffmpeg.exited;
    assert.equal(exit.code, 0, exit.stderr);
    await h.events("barrier", 0);
    await waitFor(
      "record_ended",
      async () =>
        (await h.events("barrier", 332)).some((e) => e.record_event === "record_ended") ||
        undefined,
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await h.events("barrier", 100);

    const [push, ...extraPushes] = slow.received.filter(
      (r) => r.verified && r.event?.stream_id === "barrier",
    );
    assert.ok(push?.webhookId, "the push reached the slow receiver");
    assert.equal(extraPushes.length, 0, "one push, answered the first time");
    assert.equal(push.event?.event_type, 1);
    const [attempt] = await h.onair.store.deliveries.attempts(push.webhookId);
    assert.equal(attempt?.statusCode, 200);
    assert.ok(attempt.durationMs >= PUSH_ANSWER_DELAY_MS - 5, `push took ${attempt.durationMs} ms`);
    // When OnAir had the push's answer (its clock; the receivers run on the same machine).
    const answeredAt = attempt.startedAt.getTime() + attempt.durationMs;

    const others = h.receiver.received.filter(
      (r) => r.verified && r.event?.stream_id === "barrier",
    );
    const types = others.map((r) => Number(r.event?.event_type));
    for (const type of [332, 100, 0]) assert.ok(types.includes(type), `${type} arrived`);
    assert.ok(!types.includes(1), "the push went to the slow receiver only");
    for (const r of others) {
      // 2 ms: the attempt's start is whole milliseconds and its duration rounded.
      assert.ok(
        r.at >= answeredAt - 2,
        `event ${r.event?.event_type} arrived ${answeredAt - r.at} ms before the push's answer`,
      );
    }
  });
});

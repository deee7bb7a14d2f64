import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const PUSH_WAIT_MS = 2500;

/**
 * A real ffmpeg publish whose picture size never comes early: Sorenson H.263 (FLV codec 2) has no
 * sequence header and `-flvflags no_metadata` drops onMetaData, so the push (event 1) waits the
 * whole `ingest.pushEventWaitMs` while recording starts with the first tags. The receiver, a
 * separate process, logs callbacks as they arrive: the push still comes first and every other
 * callback of the publish (332, 100, 0) after it. (ffmpeg cannot push H.264 whose sequence header
 * comes late: its FLV muxer writes the headers before any media. Screenshots need a sequence
 * header, so 200 is not part of this publish; it waits on the same `pushed`.)
 */
function publishWithoutSize(url: string, seconds: number) {
  const child = spawn(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=320x240:rate=25",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=44100",
      "-t",
      String(seconds),
      "-c:v",
      "flv",
      "-g",
      "25",
      "-c:a",
      "aac",
      "-flvflags",
      "no_metadata",
      "-f",
      "flv",
      url,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stderr })),
  );
}

describe("event order: a publish's push is delivered before its other callbacks", () => {
  let h: IngestHarness;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000, pushEventWaitMs: PUSH_WAIT_MS },
      { recording: { minIntervalSeconds: 1 } },
    );
    const { TemplateId: record } = await h.sdk.CreateLiveRecordTemplate({
      TemplateName: "order",
      FlvParam: { RecordInterval: 2, StorageTime: 0, Enable: 1 },
    });
    await h.sdk.CreateLiveRecordRule({
      DomainName: TEST_DOMAIN,
      AppName: "live",
      TemplateId: record as number,
    });
  });
  after(async () => {
    await h?.stop();
  });

  test("332, 100 and 0 all reach the receiver after the push (event 1)", async () => {
    const exit = await publishWithoutSize(h.rtmpUrl("live/late"), 5);
    assert.equal(exit.code, 0, exit.stderr);
    await h.events("late", 0);
    await waitFor(
      "record_ended",
      async () =>
        (await h.events("late", 332)).some((e) => e.record_event === "record_ended") || undefined,
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await h.events("late", 100);
    const arrived = h.receiver.received
      .filter((r) => r.verified && (r.event?.stream_id ?? r.event?.streamId) === "late")
      .map((r) => Number(r.event?.event_type));
    assert.equal(arrived[0], 1, `arrival order ${arrived.join(", ")}`);
    assert.equal(arrived.filter((t) => t === 1).length, 1, "one push");
    // Without the order fix the 332 start came about 2.5 s before the push: "332, 1, 0, 100, 332".
    for (const type of [332, 100, 0]) assert.ok(arrived.includes(type), `${type} arrived`);
  });
});

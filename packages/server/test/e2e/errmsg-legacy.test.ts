import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type IngestHarness, startIngestHarness } from "./ingest-harness.js";

/**
 * `ingest.errmsgTexts: "legacy"`: a real ffmpeg that stops normally (deleteStream, errcode 1)
 * gets the old table's wire text `recv rtmp deleteStream` (Tencent 267/47025) as `errmsg`, for
 * handlers that match on it; the push keeps "ok".
 */
let h: IngestHarness;
before(async () => {
  h = await startIngestHarness({ errmsgTexts: "legacy" });
});
after(async () => {
  await h?.stop();
});

test("legacy texts: errcode 1 says recv rtmp deleteStream", async () => {
  const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/legacy"), { seconds: 2 });
  const [push] = await h.events("legacy", 1);
  assert.equal((await ffmpeg.exited).code, 0);
  const [end] = await h.events("legacy", 0);
  assert.equal(push?.errmsg, "ok");
  assert.equal(end?.errcode, 1);
  assert.equal(end?.errmsg, "recv rtmp deleteStream");
});

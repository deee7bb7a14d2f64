import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "../e2e/ingest-harness.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";

const run = promisify(execFile);

/** The span of a file's packet timestamps, as ffprobe reads them (it fails on broken files). */
async function packetSpan(url: string): Promise<number> {
  const { stdout } = await run(
    "ffprobe",
    ["-v", "error", "-show_entries", "packet=pts_time", "-of", "csv=p=0", url],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const times = stdout
    .split("\n")
    .map((line) => Number.parseFloat(line))
    .filter((t) => Number.isFinite(t));
  return Math.max(...times) - Math.min(...times);
}

/**
 * A soak (`npm run soak -w onair`, part of `npm run bench`: too long for CI), at Tencent's own
 * limits (no lowered minimum): a 155 s real-time ffmpeg publish with a 60 s RecordInterval for
 * FLV, MP4 and HLS. FLV and MP4 each give at least 3 files, HLS one playlist with its segments;
 * every file is read by ffprobe and its media span matches the callback's duration within 2 s.
 */
let h: IngestHarness;
before(async () => {
  h = await startIngestHarness({ idleTimeoutMs: 10_000 });
  const sdk = h.sdk;
  const every60s = { RecordInterval: 60, StorageTime: 0, Enable: 1 };
  const { TemplateId } = await sdk.CreateLiveRecordTemplate({
    TemplateName: "tencent_limits",
    FlvParam: every60s,
    Mp4Param: every60s,
    HlsParam: every60s,
  });
  await sdk.CreateLiveRecordRule({ DomainName: TEST_DOMAIN, TemplateId: TemplateId as number });
});
after(async () => {
  await h.stop();
});

test("155 s publish, 60 s interval: ≥ 3 FLV and MP4 files and an HLS playlist, durations as reported", {
  timeout: 300_000,
}, async () => {
  const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/long"), { seconds: 155, size: "320x240" });
  assert.equal((await ffmpeg.exited).code, 0);
  const ended = await h.events("long", 332, 6, 60_000);
  assert.ok(ended.length >= 6);
  const files = await h.events("long", 100, 7, 60_000);
  const byFormat = (format: string) => files.filter((f) => f.file_format === format);
  assert.ok(byFormat("flv").length >= 3, `${byFormat("flv").length} FLV files`);
  assert.ok(byFormat("mp4").length >= 3, `${byFormat("mp4").length} MP4 files`);
  assert.equal(byFormat("hls").length, 1);
  for (const file of files) {
    const span = await packetSpan(String(file.video_url));
    assert.ok(
      Math.abs(span - Number(file.duration)) <= 2,
      `${file.file_format} ${file.video_url}: media ${span.toFixed(2)} s vs callback ${file.duration} s`,
    );
  }
  const total = (format: string) =>
    byFormat(format).reduce((sum, f) => sum + Number(f.duration), 0);
  for (const format of ["flv", "mp4", "hls"]) {
    assert.ok(
      Math.abs(total(format) - 155) <= 5,
      `${format}: ${total(format)} s of a 155 s publish`,
    );
  }
});

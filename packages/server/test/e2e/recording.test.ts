import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const run = promisify(execFile);

/**
 * ffprobe's view of a file: its format, the duration it reports, and the span of its packets'
 * timestamps (measured from the media itself, independent of the metadata OnAir writes).
 */
async function probe(
  url: string,
): Promise<{ format: string; duration: number; packetSpan: number }> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "format=format_name,duration:packet=pts_time",
    "-of",
    "json",
    url,
  ]);
  const parsed = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    packets: { pts_time: string }[];
  };
  const times = parsed.packets.map((p) => Number(p.pts_time));
  return {
    format: parsed.format.format_name,
    duration: Number(parsed.format.duration),
    packetSpan: Math.max(...times) - Math.min(...times),
  };
}

/**
 * FLV recording configured through the official SDK (CreateLiveRecordTemplate + Rule), with a
 * real ffmpeg publish: every finished file is reported (event_type 100) only once complete, is
 * served under /files/ with byte ranges, and ffprobe reads it with the duration the callback says.
 * The interval is 3 s here (config `recording.minIntervalSeconds` lowered for the test).
 */
describe("FLV, MP4 and HLS recording → event_type 100 and 332", () => {
  let h: IngestHarness;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000 },
      { recording: { minIntervalSeconds: 1, sweepIntervalMs: 200 } },
    );
    const sdk = h.sdk;
    const { TemplateId } = await sdk.CreateLiveRecordTemplate({
      TemplateName: "flv3s",
      FlvParam: { RecordInterval: 3, StorageTime: 0, Enable: 1 },
      Mp4Param: { RecordInterval: 3, StorageTime: 0, Enable: 1 },
      HlsParam: { RecordInterval: 3, StorageTime: 0, Enable: 1 },
    });
    await sdk.CreateLiveRecordRule({
      DomainName: TEST_DOMAIN,
      AppName: "live",
      TemplateId: TemplateId as number,
    });
    const rules = await sdk.DescribeLiveRecordRules();
    assert.equal(rules.Rules[0]?.TemplateId, TemplateId);
    const templates = await sdk.DescribeLiveRecordTemplates({});
    assert.deepEqual(templates.Templates?.[0]?.FlvParam, {
      RecordInterval: 3,
      StorageTime: 0,
      Enable: 1,
    });
    const one = await sdk.DescribeLiveRecordTemplate({ TemplateId: TemplateId as number });
    assert.deepEqual(one.Template, templates.Templates?.[0]);
    await assert.rejects(
      sdk.CreateLiveRecordTemplate({
        TemplateName: "x",
        FlvParam: { RecordInterval: 43_201, Enable: 1 },
      }),
      (err: { code?: string }) => err.code === "InvalidParameterValue",
    );
  });
  after(async () => {
    await h.stop();
  });

  test("an 8 s publish with a 3 s interval: FLV and MP4 files and an HLS playlist, each complete, durations as reported", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/recorded?a=b"), { seconds: 8 });
    assert.equal((await ffmpeg.exited).code, 0);
    await h.events("recorded", 0);
    // FLV ≥ 3, MP4 ≥ 3, HLS 1; then every format's record_ended (332).
    await h.events("recorded", 332, 6, 30_000);
    const ended = await waitFor(
      "record_ended for flv, mp4 and hls",
      async () => {
        const found = (await h.events("recorded", 332)).filter(
          (e) => e.record_event === "record_ended",
        );
        return found.length >= 3 ? found : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(ended.length, 3, "record_ended for flv, mp4 and hls");
    const started = (await h.events("recorded", 332)).filter(
      (e) => e.record_event === "record_start_succeeded",
    );
    assert.equal(started.length, 3);
    const all = await h.events("recorded", 100, 7);
    const byFormat = (format: string) => all.filter((f) => f.file_format === format);
    assert.ok(byFormat("flv").length >= 3, `${byFormat("flv").length} FLV files`);
    assert.ok(byFormat("mp4").length >= 3, `${byFormat("mp4").length} MP4 files`);
    assert.equal(byFormat("hls").length, 1, "one HLS playlist per publish");
    // callback_ext with Tencent's keys, from the stream's own sequence header (267/38082).
    for (const file of all) {
      assert.deepEqual(JSON.parse(String(file.callback_ext)), {
        video_codec: "h264",
        session_id: file.task_id,
        resolution: "640x360",
      });
    }
    // media_start_time: the stream timestamp (ms) of each FLV file's first tag, not always 0.
    const starts = byFormat("flv")
      .map((f) => Number(f.media_start_time))
      .sort((a, b) => a - b);
    assert.ok(
      starts.every((ms, i) => i === 0 || ms > (starts[i - 1] as number)),
      String(starts),
    );
    assert.ok((starts[1] as number) >= 2500, `second FLV file starts at ${starts[1]} ms`);
    const expectedFormat = { flv: "flv", mp4: "mov,mp4,m4a,3gp,3g2,mj2", hls: "hls" } as Record<
      string,
      string
    >;
    for (const format of ["flv", "mp4", "hls"]) {
      let total = 0;
      for (const file of byFormat(format)) {
        assert.equal(file.stream_param, "a=b");
        const extension = format === "hls" ? "m3u8" : format;
        assert.match(
          String(file.video_url),
          new RegExp(
            String.raw`^http://127\.0\.0\.1:\d+/files/record/push\.onair\.test/live/recorded/recorded_\d{8}T\d{6}[_\d]*\.${extension}\?expires=\d+&sig=[0-9a-f]{64}$`,
          ),
        );
        const probed = await probe(String(file.video_url));
        assert.equal(probed.format, expectedFormat[format]);
        assert.ok(
          Math.abs(probed.packetSpan - Number(file.duration)) <= 2,
          `${format}: packets span ${probed.packetSpan} s vs callback ${file.duration} s`,
        );
        // Signed (files.public is false by default): the bare path is refused.
        const unsigned = await fetch(String(file.video_url).replace(/\?.*$/, ""));
        assert.equal(unsigned.status, 403);
        if (format !== "hls") {
          const response = await fetch(String(file.video_url), { headers: { range: "bytes=0-2" } });
          assert.equal(response.status, 206);
          const size = Number(response.headers.get("content-range")?.split("/")[1]);
          assert.equal(size, file.file_size);
        }
        total += Number(file.duration);
      }
      assert.ok(total >= 6 && total <= 10, `${format}: ${total} s recorded of an 8 s publish`);
    }
  });

  test("StorageTime: files are deleted once it runs out", async () => {
    const sdk = h.sdk;
    const { TemplateId } = await sdk.CreateLiveRecordTemplate({
      TemplateName: "ephemeral",
      FlvParam: { RecordInterval: 60, StorageTime: 6, Enable: 1 },
      HlsParam: { RecordInterval: 60, StorageTime: 6, Enable: 1 },
    });
    await sdk.CreateLiveRecordRule({
      DomainName: TEST_DOMAIN,
      AppName: "live",
      StreamName: "ephemeral",
      TemplateId: TemplateId as number,
    });
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/ephemeral"), { seconds: 2 });
    await ffmpeg.exited;
    const files = await h.events("ephemeral", 100, 2, 20_000);
    for (const file of files) assert.equal((await fetch(String(file.video_url))).status, 200);
    await waitFor(
      "every file removed at the end of its StorageTime",
      async () => {
        const statuses = await Promise.all(files.map((f) => fetch(String(f.video_url))));
        return statuses.every((res) => res.status === 404);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
  });

  test("/files/ refuses paths outside its root and unfinished files", async () => {
    const base = `http://127.0.0.1:${h.onair.httpPort}/files/`;
    for (const path of [
      "..%2F..%2Fonair.db",
      "record/x.flv.part",
      "record/x.flv.json",
      "nothing.flv",
    ]) {
      // Unsigned: refused before any lookup, so nothing is learned about what exists (the
      // same names signed are 404s, see test/http/file-route.test.ts).
      assert.equal((await fetch(base + path)).status, 403, path);
    }
  });
});

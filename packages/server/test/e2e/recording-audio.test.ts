import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { captureLogs } from "../helpers/log-capture.js";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const run = promisify(execFile);

/** ffprobe's view of a served file: its container, its one audio codec and its duration. */
async function probe(url: string): Promise<{ format: string; codecs: string[]; duration: number }> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "format=format_name,duration:stream=codec_name,codec_type",
    "-of",
    "json",
    url,
  ]);
  const parsed = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    streams: { codec_name: string; codec_type: string }[];
  };
  return {
    format: parsed.format.format_name,
    codecs: parsed.streams.map((s) => `${s.codec_type}:${s.codec_name}`),
    duration: Number(parsed.format.duration),
  };
}

const PUSH_SECONDS = 5;
/** Stream timestamp of the push's first frame: media_start_time is measured from it. */
const PUSH_START_MS = 2000;
const byStart = (files: Record<string, unknown>[]) =>
  [...files].sort((a, b) => Number(a.media_start_time) - Number(b.media_start_time));

/**
 * Audio-only recording (Tencent's AacParam and Mp3Param of CreateLiveRecordTemplate, 267/30845):
 * a real ffmpeg push recorded in every format at once, with a 3 s RecordInterval
 * (`recording.minIntervalSeconds` lowered). AAC is ADTS copied from the stream, MP3 encoded by
 * ffmpeg; both are cut like MP4 and reported with event 100 (file_format `aac`, `mp3`). Every
 * format's media_start_time is the stream timestamp of its file's first frame, and the formats of
 * one push agree on it. A video-only push records no audio file and says so in the log.
 */
describe("AAC and MP3 recording, media_start_time of every format", () => {
  let h: IngestHarness;
  const logs = captureLogs("warn");
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000 },
      { recording: { minIntervalSeconds: 1 } },
      logs.logger,
    );
    const every3s = { RecordInterval: 3, StorageTime: 0, Enable: 1 };
    const { TemplateId } = await h.sdk.CreateLiveRecordTemplate({
      TemplateName: "all_formats",
      FlvParam: every3s,
      Mp4Param: every3s,
      HlsParam: every3s,
      AacParam: every3s,
      Mp3Param: { RecordInterval: 3, StorageTime: 600, Enable: 1 },
    });
    const one = await h.sdk.DescribeLiveRecordTemplate({ TemplateId: TemplateId as number });
    assert.deepEqual(one.Template?.AacParam, every3s);
    assert.deepEqual(one.Template?.Mp3Param, { RecordInterval: 3, StorageTime: 600, Enable: 1 });
    const all = await h.sdk.DescribeLiveRecordTemplates({});
    assert.deepEqual(
      all.Templates?.find((t) => t.TemplateId === TemplateId),
      one.Template,
      "DescribeLiveRecordTemplates returns AacParam and Mp3Param too",
    );
    await h.sdk.CreateLiveRecordRule({
      DomainName: TEST_DOMAIN,
      AppName: "live",
      TemplateId: TemplateId as number,
    });
  });
  after(async () => {
    await h.stop();
  });

  test("a 5 s push: AAC and MP3 files ffprobe reads, callbacks with their format and media_start_time", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/voice"), {
      seconds: PUSH_SECONDS,
      startSeconds: PUSH_START_MS / 1000,
    });
    assert.equal((await ffmpeg.exited).code, 0);
    const ended = await waitFor(
      "record_ended of the five formats",
      async () => {
        const found = (await h.events("voice", 332, 1)).filter(
          (e) => e.record_event === "record_ended",
        );
        return found.length >= 5 ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    // record_detail.file_format: 4 AAC, 5 MP3 (Tencent 267/58590).
    const codes = ended.map((e) => JSON.parse(String(e.record_detail)).file_format as number);
    assert.deepEqual(codes.sort(), [1, 2, 3, 4, 5]);
    const files = await h.events("voice", 100, 8);
    const of = (format: string) => byStart(files.filter((f) => f.file_format === format));

    for (const [format, container, codec, type] of [
      ["aac", "aac", "audio:aac", "audio/aac"],
      ["mp3", "mp3", "audio:mp3", "audio/mpeg"],
    ] as const) {
      const audio = of(format);
      assert.equal(audio.length, 2, `${format}: a 5 s push cut every 3 s gives 2 files`);
      let total = 0;
      for (const file of audio) {
        assert.match(
          String(file.video_url),
          new RegExp(
            String.raw`^http://127\.0\.0\.1:\d+/files/record/push\.onair\.test/live/voice/voice_\d{8}T\d{6}_\d{3}\.${format}\?expires=\d+&sig=[0-9a-f]{64}$`,
          ),
        );
        const probed = await probe(String(file.video_url));
        assert.equal(probed.format, container);
        assert.deepEqual(probed.codecs, [codec], `${format}: audio alone`);
        assert.ok(
          Math.abs(probed.duration - Number(file.duration)) <= 1,
          `${format}: ffprobe ${probed.duration} s, callback ${file.duration} s`,
        );
        const response = await fetch(String(file.video_url));
        assert.equal(response.headers.get("content-type"), type);
        assert.equal((await response.arrayBuffer()).byteLength, file.file_size);
        assert.equal(file.record_file_id, file.file_id);
        assert.equal(Number(file.end_time) >= Number(file.start_time), true);
        // No picture: callback_ext names no codec or size, only the session.
        assert.deepEqual(JSON.parse(String(file.callback_ext)), { session_id: file.task_id });
        total += probed.duration;
      }
      assert.ok(
        Math.abs(total - PUSH_SECONDS) <= 1.5,
        `${format}: ${total} s recorded of a ${PUSH_SECONDS} s push`,
      );
      // The first file starts at the push's first audio frame (ffmpeg's AAC encoder puts it one
      // priming frame, 23 ms, before the video), the second about 3 s later.
      const [first, second] = audio.map((f) => Number(f.media_start_time));
      assert.ok(
        Math.abs((first as number) - PUSH_START_MS) <= 100,
        `${format}: first file at ${first} ms`,
      );
      assert.ok(
        Math.abs((second as number) - (first as number) - 3000) <= 200,
        `${format}: second file at ${second} ms`,
      );
    }

    // MP4 and HLS start at the same keyframe as FLV: the same media_start_time, not 0.
    const flv = of("flv").map((f) => Number(f.media_start_time));
    const mp4 = of("mp4").map((f) => Number(f.media_start_time));
    const hls = of("hls").map((f) => Number(f.media_start_time));
    assert.ok((flv[0] as number) >= PUSH_START_MS, `FLV starts at ${flv[0]} ms`);
    assert.equal(mp4[0], flv[0], "MP4's first file starts where FLV's does");
    assert.deepEqual(hls, [flv[0]], "the HLS playlist starts where FLV's first file does");
    assert.equal(mp4.length, flv.length, `MP4 ${mp4} and FLV ${flv} cut alike`);
    for (const [i, ms] of mp4.entries()) {
      assert.ok(Math.abs(ms - (flv[i] as number)) <= 100, `file ${i}: MP4 ${ms}, FLV ${flv[i]}`);
    }
  });

  test("a video-only push with an AAC/MP3 template: no audio file, no audio callback, a log line", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/silent"), { seconds: 3, audio: false });
    assert.equal((await ffmpeg.exited).code, 0);
    // FLV, MP4 and HLS record the pictures; their record_ended marks the recording as done.
    await waitFor(
      "record_ended of FLV, MP4 and HLS",
      async () =>
        (await h.events("silent", 332, 1)).filter((e) => e.record_event === "record_ended")
          .length >= 3,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const warned = await waitFor("the no-audio warning of both audio formats", () => {
      const lines = logs.lines.filter(
        (l) =>
          l.msg === "the publish had no audio: no audio-only recording made" &&
          l.stream === `${TEST_DOMAIN}/live/silent`,
      );
      return lines.length >= 2 ? lines : undefined;
    });
    assert.deepEqual(warned.map((l) => l.format).sort(), ["aac", "mp3"]);
    const files = await h.events("silent", 100, 1);
    const formats = new Set(files.map((f) => f.file_format));
    assert.ok(!formats.has("aac") && !formats.has("mp3"), `formats: ${[...formats]}`);
    const statuses = await h.events("silent", 332, 1);
    const details = statuses.map((e) => JSON.parse(String(e.record_detail)).file_format as number);
    assert.ok(
      details.every((code) => code <= 3),
      `no 332 for AAC or MP3: ${details}`,
    );
  });
});

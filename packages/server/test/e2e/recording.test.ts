import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Client as LiveClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/live/v20180801/live_client.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import {
  type IngestHarness,
  startIngestHarness,
  TEST_DOMAIN,
  TEST_SECRET_ID,
  TEST_SECRET_KEY,
} from "./ingest-harness.js";

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
describe("FLV recording → event_type 100", () => {
  let h: IngestHarness;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000 },
      { recording: { minIntervalSeconds: 1 } },
    );
    const sdk = new LiveClient({
      credential: { secretId: TEST_SECRET_ID, secretKey: TEST_SECRET_KEY },
      region: "",
      profile: { httpProfile: { endpoint: `127.0.0.1:${h.onair.httpPort}`, protocol: "http://" } },
    });
    const { TemplateId } = await sdk.CreateLiveRecordTemplate({
      TemplateName: "flv3s",
      FlvParam: { RecordInterval: 3, StorageTime: 0, Enable: 1 },
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
    await assert.rejects(
      sdk.CreateLiveRecordTemplate({
        TemplateName: "x",
        FlvParam: { RecordInterval: 9000, Enable: 1 },
      }),
      (err: { code?: string }) => err.code === "InvalidParameterValue",
    );
  });
  after(async () => {
    await h.stop();
  });

  test("an 8 s publish with a 3 s interval: ≥ 3 files, each complete, durations as reported", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/recorded?a=b"), { seconds: 8 });
    assert.equal((await ffmpeg.exited).code, 0);
    await h.events("recorded", 0);
    const files = await h.events("recorded", 100, 3, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last file may still be closing
    const all = await h.events("recorded", 100, files.length);
    let total = 0;
    for (const file of all) {
      assert.equal(file.file_format, "flv");
      assert.equal(file.stream_param, "a=b");
      assert.match(
        String(file.video_url),
        /^http:\/\/127\.0\.0\.1:\d+\/files\/record\/push\.onair\.test\/live\/recorded\/recorded_\d{8}T\d{6}_\d+\.flv$/,
      );
      const probed = await probe(String(file.video_url));
      assert.equal(probed.format, "flv");
      assert.ok(
        Math.abs(probed.duration - Number(file.duration)) <= 2,
        `ffprobe ${probed.duration} s vs callback ${file.duration} s`,
      );
      const response = await fetch(String(file.video_url), { headers: { range: "bytes=0-2" } });
      assert.equal(response.status, 206);
      assert.equal(Buffer.from(await response.arrayBuffer()).toString("latin1"), "FLV");
      assert.equal(response.headers.get("content-type"), "video/x-flv");
      const size = Number(response.headers.get("content-range")?.split("/")[1]);
      assert.equal(size, file.file_size);
      total += Number(file.duration);
    }
    assert.ok(all.length >= 3, `${all.length} files`);
    assert.ok(total >= 6 && total <= 10, `${total} s recorded of an 8 s publish`);
  });

  test("/files/ refuses paths outside its root and unfinished files", async () => {
    const base = `http://127.0.0.1:${h.onair.httpPort}/files/`;
    for (const path of [
      "..%2F..%2Fonair.db",
      "record/x.flv.part",
      "record/x.flv.json",
      "nothing.flv",
    ]) {
      assert.equal((await fetch(base + path)).status, 404, path);
    }
  });
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type IngestNodeProcess, spawnIngestNode } from "../helpers/ingest-node-process.js";
import { waitFor } from "../helpers/wait-for.js";
import { startReceiver } from "./receiver.js";

const DOMAIN = "multi.onair.test";
const KEY = "RecordCrashKey";

function startNode(dataDir: string): Promise<IngestNodeProcess> {
  return spawnIngestNode({ NODE_ID: "recorder", NODE_DATA_DIR: dataDir });
}

function partFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".flv.part"))
    .map((f) => join(dir, f));
}

/**
 * kill -9 in the middle of a recording: after the restart, the partial file is cut to its last
 * complete tag, renamed, and its event_type 100 delivered; ffprobe plays it. The publish itself is
 * reported interrupted (errcode 5) at start-up.
 */
test("kill -9 during a recording: FLV, MP4, HLS and AAC files are finalised and reported after restart", {
  timeout: 90_000,
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-reccrash-"));
  const receiver = await startReceiver({ key: KEY });
  let node = await startNode(dataDir);
  let publisher: ReturnType<typeof publishWithFfmpeg> | undefined;
  try {
    const { TemplateId } = await node.sdk.CreateLiveCallbackTemplate({
      TemplateName: "crash",
      StreamBeginNotifyUrl: receiver.url,
      StreamEndNotifyUrl: receiver.url,
      RecordNotifyUrl: receiver.url,
      CallbackKey: KEY,
    });
    await node.sdk.CreateLiveCallbackRule({
      DomainName: DOMAIN,
      AppName: "live",
      TemplateId: TemplateId as number,
    });
    const record = await node.sdk.CreateLiveRecordTemplate({
      TemplateName: "long",
      FlvParam: { RecordInterval: 600, Enable: 1 },
      Mp4Param: { RecordInterval: 600, Enable: 1 },
      HlsParam: { RecordInterval: 600, Enable: 1 },
      AacParam: { RecordInterval: 600, Enable: 1 },
    });
    await node.sdk.CreateLiveRecordRule({
      DomainName: DOMAIN,
      TemplateId: record.TemplateId as number,
    });
    // Its first frame at 2 s: the recovered files' media_start_time is the sessions', not 0.
    publisher = publishWithFfmpeg(`rtmp://127.0.0.1:${node.rtmpPort}/live/crashing`, {
      startSeconds: 2,
    });
    await waitFor(
      "a partial recording to grow past 100 kB",
      () => partFiles(dataDir).some((f) => statSync(f).size > 100_000),
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    node.child.kill("SIGKILL");
    await new Promise((resolve) => node.child.once("exit", resolve));
    publisher.child.kill("SIGKILL");
    await publisher.exited;
    assert.equal(partFiles(dataDir).length, 1, "the crash left one unfinished file");

    node = await startNode(dataDir);
    await receiver.waitFor(1, 20_000);
    // One file per format: FLV cut from its .part, MP4, HLS and AAC finished by their ffmpeg children
    // when the dead node's pipe closed, then reported by the restarted node.
    const recorded = () =>
      receiver.received.filter((r) => r.verified && r.event?.event_type === 100);
    await waitFor("four event_type 100 (flv, mp4, hls, aac)", () => recorded().length >= 4, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const files = recorded().map((r) => r.event as Record<string, unknown>);
    assert.deepEqual(files.map((f) => f.file_format).sort(), ["aac", "flv", "hls", "mp4"]);
    const startOf = (format: string) =>
      Number(files.find((f) => f.file_format === format)?.media_start_time);
    assert.ok(startOf("flv") >= 2000, `FLV from ${startOf("flv")} ms`);
    assert.equal(startOf("mp4"), startOf("flv"), "MP4's session kept its media_start_time");
    assert.equal(startOf("hls"), startOf("flv"), "HLS's session kept its media_start_time");
    assert.ok(Math.abs(startOf("aac") - 2000) <= 100, `AAC from ${startOf("aac")} ms`);
    assert.equal(partFiles(dataDir).length, 0);
    for (const file of files) {
      const { stdout } = await promisify(execFile)("ffprobe", [
        "-v",
        "error",
        "-show_entries",
        "format=duration",
        "-of",
        "csv=p=0",
        String(file.video_url),
      ]);
      assert.ok(Number(stdout) > 0.5, `${file.file_format}: ffprobe plays ${stdout.trim()} s`);
      assert.ok(Number(file.duration) >= 1, `${file.file_format}: ${file.duration} s reported`);
      if (file.file_format !== "hls") {
        assert.equal(
          Number(file.file_size),
          statSync(
            join(
              dataDir,
              "files",
              new URL(String(file.video_url)).pathname.split("/files/")[1] ?? "",
            ),
          ).size,
        );
      }
    }
    await receiver.waitFor(6, 10_000); // push, interruption, four recordings
    const interrupted = receiver.received.find(
      (r) => r.event?.event_type === 0 && r.event?.stream_id === "crashing",
    );
    assert.equal(
      interrupted?.event?.errcode,
      5,
      "the lost publish is reported by the restarted node",
    );
  } finally {
    node.child.kill("SIGKILL");
    publisher?.child.kill("SIGKILL");
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

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
test("kill -9 during a recording: FLV, MP4 and HLS files are finalised and reported after restart", {
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
    });
    await node.sdk.CreateLiveRecordRule({
      DomainName: DOMAIN,
      TemplateId: record.TemplateId as number,
    });
    publisher = publishWithFfmpeg(`rtmp://127.0.0.1:${node.rtmpPort}/live/crashing`);
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
    // One file per format: FLV cut from its .part, MP4 and HLS finished by their ffmpeg children
    // when the dead node's pipe closed, then reported by the restarted node.
    const recorded = () =>
      receiver.received.filter((r) => r.verified && r.event?.event_type === 100);
    await waitFor("three event_type 100 (flv, mp4, hls)", () => recorded().length >= 3, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const files = recorded().map((r) => r.event as Record<string, unknown>);
    assert.deepEqual(files.map((f) => f.file_format).sort(), ["flv", "hls", "mp4"]);
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
    await receiver.waitFor(5, 10_000); // push, interruption, three recordings
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

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { formatUtcTime } from "../../src/api/tencent-time.js";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const run = promisify(execFile);
const inSeconds = (s: number) => formatUtcTime(new Date(Date.now() + s * 1000));
type Body = Record<string, unknown>;

/** A 2.5 s MP4 (H.264 + AAC, moov first) made by ffmpeg from lavfi's test pattern and a tone. */
async function makeMp4(path: string): Promise<void> {
  await run("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...[
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=320x240:rate=25",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440",
    ],
    ...["-t", "2.5", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25"],
    ...["-c:a", "aac", "-movflags", "+faststart", path],
  ]);
}

/** Serves one file over real HTTP on loopback (the whole file for every GET). */
async function serveFile(path: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "video/mp4", "content-length": statSync(path).size });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/clip.mp4`, server };
}

/**
 * PullVodPushLive from a real HTTP file server: a 2.5 s MP4 played twice (VodLoopTimes 2) into
 * OnAir as one continuous push, with the 314s Tencent sends for files, in order: TaskStart, a
 * VodSourceFileStart and VodSourceFileFinish per round, then TaskExit once both rounds played.
 */
describe("pull-and-relay tasks, files (CreateLivePullStreamTask PullVodPushLive)", () => {
  let h: IngestHarness;
  let dir: string;
  let file: { url: string; server: Server };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "onair-vod-"));
    await makeMp4(join(dir, "clip.mp4"));
    file = await serveFile(join(dir, "clip.mp4"));
    h = await startIngestHarness({ idleTimeoutMs: 4000 }, { pullTasks: { pollMs: 200 } });
  });
  after(async () => {
    await h?.stop();
    file?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("VodLoopTimes 2: one push, a file start and finish per round, then TaskExit", async () => {
    const { TaskId = "" } = await h.sdk.CreateLivePullStreamTask({
      SourceType: "PullVodPushLive",
      SourceUrls: [file.url],
      DomainName: TEST_DOMAIN,
      AppName: "live",
      StreamName: "vodout",
      StartTime: inSeconds(-1),
      EndTime: inSeconds(120),
      Operator: "test",
      VodLoopTimes: "2",
      CallbackUrl: h.receiver.url,
    });
    const events = await waitFor(
      "the task's TaskExit",
      async () => {
        const mine = (await h.events("vodout", 314, 1, 20_000)).filter((b) => b.task_id === TaskId);
        return mine.some((b) => b.callback_event === "TaskExit") ? mine : null;
      },
      { timeoutMs: 20_000 },
    );
    assert.deepEqual(
      events.map((e) => e.callback_event),
      [
        "TaskStart",
        "VodSourceFileStart",
        "VodSourceFileFinish",
        "VodSourceFileStart",
        "VodSourceFileFinish",
        "TaskExit",
      ],
    );
    for (const e of events.slice(1, 5)) {
      const msg = JSON.parse(String(e.msg)) as Body;
      assert.equal(msg.url, file.url);
      assert.equal(msg.index, 0, "index into SourceUrls, from 0 as in Tencent's sample");
      assert.ok(
        Number(msg.duration) >= 2 && Number(msg.duration) <= 3,
        `duration ${msg.duration} s`,
      );
    }
    const exit = JSON.parse(String(events.at(-1)?.msg)) as Body;
    assert.equal(exit.code, "0");
    assert.match(String(exit.message), /every round/);
    assert.ok(
      h.receiver.received.filter((r) => r.event?.event_type === 314).every((r) => r.verified),
    );

    // Both rounds were one publish at the target: one push, one interruption.
    const [ended] = await h.events("vodout", 0, 1, 10_000);
    assert.equal((await h.events("vodout", 1)).length, 1, "one push for both rounds");
    // Longer than one round (2.5 s): both went into it. Less than 5 s, since the writer ffmpeg
    // probes its input (about a second) before its push starts at the target.
    assert.ok(Number(ended?.push_duration) >= 3000, `pushed for ${ended?.push_duration} ms`);
    const status = await h.sdk.DescribeLivePullStreamTaskStatus({ TaskId });
    assert.equal(status.TaskStatusInfo?.LoopedTimes, 2);
    assert.equal(status.TaskStatusInfo?.RunStatus, "inactive");
    assert.equal(status.TaskStatusInfo?.FileUrl, file.url);
  });

  test("a Modify of SourceUrls while playing: ResetTaskConfig, the new file at once; Delete: TaskExit", async () => {
    const { TaskId = "" } = await h.sdk.CreateLivePullStreamTask({
      SourceType: "PullVodPushLive",
      SourceUrls: [file.url],
      DomainName: TEST_DOMAIN,
      AppName: "live",
      StreamName: "vodmodify",
      StartTime: inSeconds(-1),
      EndTime: inSeconds(120),
      Operator: "test",
      CallbackUrl: h.receiver.url,
    });
    const mine = async () =>
      (await h.events("vodmodify", 314, 1, 15_000)).filter((b) => b.task_id === TaskId);
    await waitFor("the first file to start", async () =>
      (await mine()).some((b) => b.callback_event === "VodSourceFileStart"),
    );
    const next = file.url.replace("clip.mp4", "other.mp4");
    await h.sdk.ModifyLivePullStreamTask({ TaskId, Operator: "test", SourceUrls: [next] });
    const started = await waitFor("the new file to start", async () => {
      const events = await mine();
      return events.some((b) => JSON.parse(String(b.msg)).url === next) ? events : null;
    });
    const names = started.map((b) => b.callback_event);
    assert.ok(names.indexOf("ResetTaskConfig") > 0, `ResetTaskConfig after TaskStart: ${names}`);
    const last = started.at(-1) as Body;
    assert.equal(last.callback_event, "VodSourceFileStart");
    assert.equal(JSON.parse(String(last.msg)).index, 0);
    assert.deepEqual(JSON.parse(String(last.source_urls)), [next], "source_urls is the new list");

    await h.sdk.DeleteLivePullStreamTask({ TaskId, Operator: "test" });
    const exit = await waitFor("TaskExit after the delete", async () =>
      (await mine()).find((b) => b.callback_event === "TaskExit"),
    );
    assert.match(String(JSON.parse(String(exit.msg)).message), /deleted/);
  });
});

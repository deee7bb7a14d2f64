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
import { type RecordingReceiver, startRecordingReceiver } from "../helpers/recording-receiver.js";
import { schemaUrl } from "../helpers/test-database.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { quietPeriod, waitFor } from "../helpers/wait-for.js";

const run = promisify(execFile);
const DOMAIN = "relay.onair.test";
const inSeconds = (s: number) => formatUtcTime(new Date(Date.now() + s * 1000));

/**
 * Two nodes on one PostgreSQL schema and one task (a file looped into OnAir): exactly one node
 * runs it at any time (the lease of its row), and when that node shuts down the other takes it
 * over within a poll and starts it again (a second TaskStart).
 */
describe("pull tasks on two nodes sharing PostgreSQL", { timeout: 40_000 }, () => {
  let a: TestOnAir;
  let b: TestOnAir;
  let receiver: RecordingReceiver;
  let dir: string;
  let files: Server;
  let fileUrl: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "onair-pull-nodes-"));
    const clip = join(dir, "clip.mp4");
    await run("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
      ...["-i", "testsrc=size=320x240:rate=25", "-t", "3", "-pix_fmt", "yuv420p"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-movflags", "+faststart", clip],
    ]);
    files = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": statSync(clip).size });
      createReadStream(clip).pipe(res);
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    fileUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/clip.mp4`;
    receiver = await startRecordingReceiver("/relay");
    const pullTasks = { pollMs: 200, leaseMs: 2000 };
    a = await startTestOnAir({
      postgres: true,
      rtmp: true,
      flags: { nodeId: "pull-a", pullTasks, dispatcher: { pollIntervalMs: 50 } },
    });
    b = await startTestOnAir({
      rtmp: true,
      flags: {
        nodeId: "pull-b",
        databaseUrl: schemaUrl(a.schema ?? ""),
        pullTasks,
        dispatcher: { pollIntervalMs: 50 },
      },
    });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await receiver?.close();
    files?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("one node runs the task; when it stops, the other takes it over", async () => {
    const { TaskId = "" } = await a.sdk.CreateLivePullStreamTask({
      SourceType: "PullVodPushLive",
      SourceUrls: [fileUrl],
      DomainName: DOMAIN,
      AppName: "live",
      StreamName: "looped",
      StartTime: inSeconds(-1),
      EndTime: inSeconds(120),
      Operator: "test",
      CallbackUrl: receiver.url,
      CallbackEvents: ["TaskStart", "TaskExit"],
    });
    const holders = () => [a, b].filter((node) => node.onair.pullTasks?.running().includes(TaskId));
    const [first] = await waitFor("a node to run the task", () => {
      const now = holders();
      return now.length > 0 ? now : null;
    });
    assert.ok(first);
    // Over a few polls and lease renewals, never both.
    for (let i = 0; i < 10; i++) {
      assert.equal(holders().length, 1, "exactly one node runs the task");
      await quietPeriod(200);
    }
    const other = first === a ? b : a;
    await waitFor("the task to be active", async () => {
      const status = await other.sdk.DescribeLivePullStreamTaskStatus({ TaskId });
      return status.TaskStatusInfo?.RunStatus === "active";
    });
    await first.onair.pullTasks?.stop();
    await waitFor("the other node to take the task over", () =>
      other.onair.pullTasks?.running().includes(TaskId),
    );
    const starts = await waitFor("the second TaskStart", () => {
      const mine = receiver.received.filter(
        (r) => r.json.task_id === TaskId && r.json.callback_event === "TaskStart",
      );
      return mine.length >= 2 ? mine : null;
    });
    assert.equal(starts.length, 2);
    assert.equal(
      receiver.received.filter((r) => r.json.callback_event === "TaskExit").length,
      0,
      "a node shutting down hands the task over without TaskExit",
    );
    await waitFor("the task to be active on the other node", async () => {
      const status = await other.sdk.DescribeLivePullStreamTaskStatus({ TaskId });
      return status.TaskStatusInfo?.RunStatus === "active";
    });
  });
});

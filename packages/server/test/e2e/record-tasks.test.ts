import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const run = promisify(execFile);
const unixNow = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** ffprobe's duration and the span of the packets' timestamps (the media's own clock). */
async function probe(url: string): Promise<{ format: string; packetSpan: number }> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "format=format_name:packet=pts_time",
    "-of",
    "json",
    url,
  ]);
  const parsed = JSON.parse(stdout) as {
    format: { format_name: string };
    packets: { pts_time: string }[];
  };
  const times = parsed.packets.map((p) => Number(p.pts_time));
  return { format: parsed.format.format_name, packetSpan: Math.max(...times) - Math.min(...times) };
}

type Body = Record<string, unknown>;
const withTask = (events: Body[], taskId: string) => events.filter((e) => e.task_id === taskId);

/**
 * CreateRecordTask and its three siblings through the official SDK, with real ffmpeg pushes
 * (GOP 1 s) and a receiver verifying every callback: the task's recording is reported with the
 * task's id in 332 (start_model 5) and 100, and ffprobe reads the file with the duration the
 * callback states.
 */
describe("record tasks (CreateRecordTask, StopRecordTask, DeleteRecordTask, DescribeRecordTask)", () => {
  let h: IngestHarness;
  let flvTemplate: number;
  before(async () => {
    h = await startIngestHarness({ idleTimeoutMs: 10_000 });
    const created = await h.sdk.CreateLiveRecordTemplate({
      TemplateName: "taskflv",
      FlvParam: { RecordInterval: 600, StorageTime: 0, Enable: 1 },
    });
    flvTemplate = created.TemplateId as number;
  });
  after(async () => {
    await h.stop();
  });

  test("a task on a live push: 332 and 100 carry its id; ffprobe reads the stated duration", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/taskrec?k=v"), { seconds: 10 });
    try {
      await h.events("taskrec", 1);
      const createdAt = unixNow();
      const { TaskId = "" } = await h.sdk.CreateRecordTask({
        StreamName: "taskrec",
        DomainName: TEST_DOMAIN,
        AppName: "live",
        EndTime: createdAt + 4,
        TemplateId: flvTemplate,
      });
      assert.ok(TaskId);
      const [file] = withTask(await h.events("taskrec", 100, 1, 12_000), TaskId);
      assert.ok(file, "the task's file is reported with its task_id");
      assert.equal(file.file_format, "flv");
      assert.equal(file.record_temp_id, String(flvTemplate));
      assert.equal(file.stream_param, undefined, "Tencent sends no stream_param for a task");
      const duration = Number(file.duration);
      // The window was 3–4 s (EndTime is whole seconds), starting at a keyframe (GOP 1 s).
      assert.ok(duration >= 2 && duration <= 4, `recorded ${duration} s of a 3–4 s window`);
      const probed = await probe(String(file.video_url));
      assert.equal(probed.format, "flv");
      assert.ok(
        Math.abs(probed.packetSpan - duration) <= 1,
        `ffprobe: ${probed.packetSpan} s, callback: ${duration} s`,
      );
      const statuses = await waitFor(
        "record_start_succeeded and record_ended of the task",
        async () => {
          const found = withTask(await h.events("taskrec", 332), TaskId);
          return found.some((e) => e.record_event === "record_ended") ? found : undefined;
        },
        { timeoutMs: 5_000, intervalMs: 100 },
      );
      assert.deepEqual(
        statuses.map((e) => e.record_event),
        ["record_start_succeeded", "record_ended"],
      );
      for (const status of statuses) {
        const detail = JSON.parse(String(status.record_detail)) as { start_model: number };
        assert.equal(detail.start_model, 5, "started by the API, not a template rule");
        assert.equal(status.session_id, `${TaskId}-flv`);
      }
      const listed = await h.sdk.DescribeRecordTask({
        StartTime: createdAt - 60,
        EndTime: createdAt + 60,
        StreamName: "taskrec",
      });
      assert.deepEqual(listed.TaskList, [
        {
          TaskId,
          DomainName: TEST_DOMAIN,
          AppName: "live",
          StreamName: "taskrec",
          StartTime: createdAt,
          EndTime: createdAt + 4,
          TemplateId: flvTemplate,
          Stopped: 0,
        },
      ]);
      assert.equal(listed.ScrollToken, "");
    } finally {
      ffmpeg.child.kill("SIGKILL");
    }
  });

  test("StartTime ahead: nothing until then, then recording; StopRecordTask ends it early", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/taskstop"), { seconds: 12 });
    try {
      await h.events("taskstop", 1);
      const startTime = unixNow() + 2;
      // Without TemplateId: Tencent's default, HLS.
      const { TaskId = "" } = await h.sdk.CreateRecordTask({
        StreamName: "taskstop",
        DomainName: TEST_DOMAIN,
        AppName: "live",
        StartTime: startTime,
        EndTime: startTime + 60,
      });
      const [started] = withTask(await h.events("taskstop", 332, 1, 6_000), TaskId);
      assert.ok(started);
      assert.ok(
        Number(started.event_time) >= startTime,
        `started at ${started.event_time}, StartTime ${startTime}`,
      );
      await sleep(2_500);
      await h.sdk.StopRecordTask({ TaskId });
      const [file] = withTask(await h.events("taskstop", 100, 1, 8_000), TaskId);
      assert.ok(file);
      assert.equal(file.file_format, "hls", "no TemplateId: Tencent's default HLS");
      assert.ok(Number(file.duration) <= 5, `stopped after ${file.duration} s, not at EndTime`);
      const probed = await probe(String(file.video_url));
      assert.ok(
        Math.abs(probed.packetSpan - Number(file.duration)) <= 1,
        `ffprobe: ${probed.packetSpan} s, callback: ${file.duration} s`,
      );
      const listed = await h.sdk.DescribeRecordTask({
        StartTime: startTime - 10,
        EndTime: startTime + 100,
        StreamName: "taskstop",
      });
      const stopped = listed.TaskList?.[0]?.Stopped ?? 0;
      assert.ok(stopped >= startTime, `Stopped ${stopped}`);
      await h.sdk.DeleteRecordTask({ TaskId });
      const after = await h.sdk.DescribeRecordTask({
        StartTime: startTime - 10,
        EndTime: startTime + 100,
        StreamName: "taskstop",
      });
      assert.deepEqual(after.TaskList, []);
    } finally {
      ffmpeg.child.kill("SIGKILL");
    }
  });

  test("a task created before the push records the push when it comes", async () => {
    const { TaskId = "" } = await h.sdk.CreateRecordTask({
      StreamName: "tasklater",
      DomainName: TEST_DOMAIN,
      AppName: "live",
      EndTime: unixNow() + 5,
      TemplateId: flvTemplate,
    });
    await sleep(1_000);
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/tasklater"), { seconds: 8 });
    try {
      const [file] = withTask(await h.events("tasklater", 100, 1, 12_000), TaskId);
      assert.ok(file);
      assert.ok(Number(file.duration) >= 1 && Number(file.duration) <= 4, `${file.duration} s`);
    } finally {
      ffmpeg.child.kill("SIGKILL");
    }
  });

  test("a publish that ends and comes back within the window is recorded again", async () => {
    const { TaskId = "" } = await h.sdk.CreateRecordTask({
      StreamName: "taskagain",
      DomainName: TEST_DOMAIN,
      AppName: "live",
      EndTime: unixNow() + 20,
      TemplateId: flvTemplate,
    });
    for (const n of [1, 2]) {
      const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/taskagain"), { seconds: 2 });
      assert.equal((await ffmpeg.exited).code, 0);
      const files = withTask(await h.events("taskagain", 100, n, 10_000), TaskId);
      assert.equal(files.length, n, `publish ${n}: one file each`);
    }
    await h.sdk.StopRecordTask({ TaskId });
  });

  test("bad windows, an unknown template, an unknown task and mixed streams are refused", async () => {
    const now = unixNow();
    const base = { StreamName: "x", DomainName: TEST_DOMAIN, AppName: "live" };
    const refused = async (call: Promise<unknown>, code: string, message: RegExp) =>
      assert.rejects(call, (err: { code?: string; message?: string }) => {
        assert.equal(err.code, code);
        assert.match(String(err.message), message);
        return true;
      });
    await refused(
      h.sdk.CreateRecordTask({ ...base, EndTime: now - 1 }),
      "InvalidParameter",
      /later than the current time/,
    );
    await refused(
      h.sdk.CreateRecordTask({ ...base, StartTime: now + 100, EndTime: now + 50 }),
      "InvalidParameter",
      /later than StartTime/,
    );
    await refused(
      h.sdk.CreateRecordTask({ ...base, StartTime: now, EndTime: now + 86_401 }),
      "InvalidParameter",
      /24 hours/,
    );
    await refused(
      h.sdk.CreateRecordTask({
        ...base,
        StartTime: now + 6 * 86_400 + 10,
        EndTime: now + 7 * 86_400 + 10,
      }),
      "InvalidParameter",
      /7 days/,
    );
    await refused(
      h.sdk.CreateRecordTask({ ...base, EndTime: now + 60, TemplateId: 999_999 }),
      "InvalidParameter",
      /template 999999 does not exist/,
    );
    await refused(
      h.sdk.CreateRecordTask({ ...base, EndTime: now + 60, StreamType: 1 }),
      "UnsupportedOperation",
      /mixed stream/,
    );
    await refused(
      h.sdk.CreateRecordTask({ ...base } as unknown as Parameters<
        typeof h.sdk.CreateRecordTask
      >[0]),
      "MissingParameter",
      /EndTime/,
    );
    await refused(h.sdk.StopRecordTask({ TaskId: "nope" }), "InvalidParameter", /does not exist/);
    await refused(h.sdk.DeleteRecordTask({ TaskId: "nope" }), "InvalidParameter", /does not exist/);
    await refused(
      h.sdk.DescribeRecordTask({ StartTime: now, EndTime: now + 8 * 86_400 }),
      "InvalidParameter",
      /7 days/,
    );
  });
});

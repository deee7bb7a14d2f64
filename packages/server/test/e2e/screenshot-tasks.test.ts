import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { quietPeriod } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const unixNow = () => Math.floor(Date.now() / 1000);

/**
 * CreateScreenshotTask and its siblings through the official SDK, with real ffmpeg pushes and no
 * snapshot rule: every screenshot (event 200) comes from the task, within its window, and none
 * after its EndTime or StopScreenshotTask. Tencent's 200 has no task field (267/38083), so the
 * task shows in which screenshots exist, not in their bodies.
 */
describe("screenshot tasks (CreateScreenshotTask, StopScreenshotTask, DescribeScreenshotTask, DeleteScreenshotTask)", () => {
  let h: IngestHarness;
  let templateId: number;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000 },
      { snapshot: { minIntervalSeconds: 1 } },
    );
    const created = await h.sdk.CreateLiveSnapshotTemplate({
      TemplateName: "tasks1s",
      SnapshotInterval: 1,
      Width: 320,
      Height: 180,
      CosAppId: 0,
      CosBucket: "",
      CosRegion: "",
    });
    templateId = created.TemplateId as number;
  });
  after(async () => {
    await h.stop();
  });

  test("screenshots within the window only; Describe lists the task", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/shottask"), { seconds: 10 });
    try {
      await h.events("shottask", 1);
      const createdAt = unixNow();
      const { TaskId = "" } = await h.sdk.CreateScreenshotTask({
        StreamName: "shottask",
        DomainName: TEST_DOMAIN,
        AppName: "live",
        EndTime: createdAt + 3,
        TemplateId: templateId,
      });
      assert.ok(TaskId);
      const [first] = await h.events("shottask", 200, 1, 6_000);
      assert.equal(first?.width, 320);
      assert.equal((await fetch(String(first?.pic_full_url))).status, 200);
      await quietPeriod(Math.max(0, (createdAt + 3) * 1000 - Date.now()) + 1_500);
      const shots = await h.events("shottask", 200);
      await quietPeriod(2_000);
      assert.equal((await h.events("shottask", 200)).length, shots.length, "none after EndTime");
      assert.ok(shots.length >= 1 && shots.length <= 4, `${shots.length} screenshots in 2–3 s`);
      for (const shot of shots) assert.ok(Number(shot.create_time) <= createdAt + 3);
      const { TaskList, ScrollToken } = await h.sdk.DescribeScreenshotTask({
        StartTime: createdAt - 10,
        EndTime: createdAt + 10,
      });
      assert.deepEqual(TaskList, [
        {
          TaskId,
          DomainName: TEST_DOMAIN,
          AppName: "live",
          StreamName: "shottask",
          StartTime: createdAt,
          EndTime: createdAt + 3,
          TemplateId: templateId,
          Stopped: 0,
        },
      ]);
      assert.equal(ScrollToken, "");
      await h.sdk.DeleteScreenshotTask({ TaskId });
      const afterDelete = await h.sdk.DescribeScreenshotTask({
        StartTime: createdAt - 10,
        EndTime: createdAt + 10,
      });
      assert.deepEqual(afterDelete.TaskList, []);
    } finally {
      ffmpeg.child.kill("SIGKILL");
    }
  });

  test("StopScreenshotTask ends the screenshots; bad requests are refused", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/shotstop"), { seconds: 10 });
    try {
      await h.events("shotstop", 1);
      const { TaskId = "" } = await h.sdk.CreateScreenshotTask({
        StreamName: "shotstop",
        DomainName: TEST_DOMAIN,
        AppName: "live",
        EndTime: unixNow() + 60,
        TemplateId: templateId,
      });
      await h.events("shotstop", 200, 1, 6_000);
      await h.sdk.StopScreenshotTask({ TaskId });
      await quietPeriod(1_500);
      const count = (await h.events("shotstop", 200)).length;
      await quietPeriod(2_500);
      assert.equal((await h.events("shotstop", 200)).length, count, "none after the stop");
    } finally {
      ffmpeg.child.kill("SIGKILL");
    }
    const base = { StreamName: "x", DomainName: TEST_DOMAIN, AppName: "live" };
    const code = (expected: string) => (err: { code?: string }) => err.code === expected;
    await assert.rejects(
      h.sdk.CreateScreenshotTask({ ...base, EndTime: unixNow() + 60, TemplateId: 999_999 }),
      code("InvalidParameter"),
    );
    await assert.rejects(
      h.sdk.CreateScreenshotTask({ ...base, EndTime: unixNow() + 60 } as unknown as Parameters<
        typeof h.sdk.CreateScreenshotTask
      >[0]),
      code("MissingParameter"),
    );
    await assert.rejects(
      h.sdk.CreateScreenshotTask({ ...base, EndTime: unixNow() - 5, TemplateId: templateId }),
      code("InvalidParameter"),
    );
    await assert.rejects(h.sdk.StopScreenshotTask({ TaskId: "nope" }), code("InvalidParameter"));
  });
});

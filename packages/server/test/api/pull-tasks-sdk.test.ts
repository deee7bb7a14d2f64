import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { formatUtcTime } from "../../src/api/tencent-time.js";
import {
  type ApiServer,
  endpointClient,
  type LiveClient,
  startApiServer,
} from "./helpers/api-server.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function rejectsWith(call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(call, (err: { code?: string; requestId?: string; message?: string }) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.requestId ?? "", UUID);
    if (message) assert.match(err.message ?? "", message);
    return true;
  });
}

const inSeconds = (s: number) => formatUtcTime(new Date(Date.now() + s * 1000));

/**
 * The six pull-task actions through the official SDK (tencentcloud-sdk-nodejs LiveClient, its
 * CreateLivePullStreamTaskRequest and siblings unchanged) against the management API on a real
 * SQLite store: a full round trip, then Tencent's error codes for what OnAir refuses.
 */
describe("pull-and-relay task actions through the official SDK", () => {
  let api: ApiServer;
  let sdk: LiveClient;
  before(async () => {
    api = await startApiServer({ pullTasks: { maxTasks: 3 } });
    sdk = endpointClient(api.port, {
      secretId: api.config.secretId ?? "",
      secretKey: api.config.secretKey ?? "",
    });
  });
  after(async () => {
    await api.close();
  });

  const base = () => ({
    SourceType: "PullVodPushLive",
    SourceUrls: ["http://127.0.0.1:9/a.mp4", "https://files.example/b.flv"],
    DomainName: "push.example.com",
    AppName: "live",
    StreamName: "relayed",
    StartTime: inSeconds(3600),
    EndTime: inSeconds(7200),
    Operator: "alice",
  });

  test("create, describe (list, one, paging), modify, restart, status, delete", async () => {
    const { TaskId = "" } = await sdk.CreateLivePullStreamTask({
      ...base(),
      VodLoopTimes: "2",
      VodRefreshType: "ContinueBreakPoint",
      CallbackUrl: "http://127.0.0.1:9/cb",
      CallbackEvents: ["TaskStart", "TaskExit"],
      Comment: "nightly loop",
      PushArgs: "bak=1",
      FileIndex: 2,
      OffsetTime: 5,
      ExtraCmd: "ignore_region",
    });
    assert.match(TaskId, /^pull_/);

    const one = await sdk.DescribeLivePullStreamTasks({ TaskId });
    assert.equal(one.TotalNum, 1);
    assert.equal(one.LimitTaskNum, 3);
    const info = one.TaskInfos?.[0];
    assert.ok(info);
    assert.equal(info.SourceType, "PullVodPushLive");
    assert.deepEqual(info.SourceUrls, base().SourceUrls);
    assert.equal(info.DomainName, "push.example.com");
    assert.equal(info.StreamName, "relayed");
    assert.equal(
      info.VodLoopTimes,
      2,
      "VodLoopTimes is a String in Create, an Integer in the answer",
    );
    assert.equal(info.VodRefreshType, "ContinueBreakPoint");
    assert.equal(info.CallbackUrl, "http://127.0.0.1:9/cb");
    assert.deepEqual(info.CallbackEvents, ["TaskStart", "TaskExit"]);
    assert.equal(info.Status, "enable");
    assert.equal(info.CreateBy, "alice");
    assert.equal(info.Comment, "nightly loop");
    assert.equal(info.PushArgs, "bak=1");
    assert.match(info.StartTime ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok(info.RecentPullInfo, "RecentPullInfo comes with a single task");
    assert.equal(info.RecentPullInfo.LoopedTimes, 0);

    // A repeated request with the same SpecifyTaskId makes no second task (Tencent 267/56245).
    const first = await sdk.CreateLivePullStreamTask({ ...base(), SpecifyTaskId: "mine-1" });
    const again = await sdk.CreateLivePullStreamTask({ ...base(), SpecifyTaskId: "mine-1" });
    assert.equal(again.TaskId, first.TaskId);
    const bySpecify = await sdk.DescribeLivePullStreamTasks({ SpecifyTaskId: "mine-1" });
    assert.equal(bySpecify.TaskInfos?.[0]?.TaskId, first.TaskId);

    const page1 = await sdk.DescribeLivePullStreamTasks({ PageNum: 1, PageSize: 1 });
    const page2 = await sdk.DescribeLivePullStreamTasks({ PageNum: 2, PageSize: 1 });
    assert.equal(page1.TotalNum, 2);
    assert.equal(page1.TotalPage, 2);
    assert.equal(page1.TaskInfos?.length, 1);
    assert.equal(page2.TaskInfos?.length, 1);
    assert.notEqual(page1.TaskInfos?.[0]?.TaskId, page2.TaskInfos?.[0]?.TaskId);
    assert.equal(page1.TaskInfos?.[0]?.RecentPullInfo, undefined, "not in a listing");

    await sdk.ModifyLivePullStreamTask({
      TaskId,
      Operator: "bob",
      SourceUrls: ["http://127.0.0.1:9/c.mp4"],
      VodLoopTimes: -1,
      Status: "pause",
      EndTime: inSeconds(9000),
      Comment: "changed",
    });
    const modified = (await sdk.DescribeLivePullStreamTasks({ TaskId })).TaskInfos?.[0];
    assert.deepEqual(modified?.SourceUrls, ["http://127.0.0.1:9/c.mp4"]);
    assert.equal(modified?.VodLoopTimes, -1);
    assert.equal(modified?.Status, "pause");
    assert.equal(modified?.UpdateBy, "bob");
    assert.equal(modified?.CreateBy, "alice");
    assert.equal(modified?.Comment, "changed");
    // The most recently updated task lists first (Tencent's order).
    const listed = await sdk.DescribeLivePullStreamTasks({});
    assert.equal(listed.TaskInfos?.[0]?.TaskId, TaskId);

    await sdk.RestartLivePullStreamTask({ TaskId, Operator: "bob" });
    const status = await sdk.DescribeLivePullStreamTaskStatus({ TaskId });
    assert.deepEqual(status.TaskStatusInfo, {
      FileUrl: "",
      LoopedTimes: 0,
      OffsetTime: 0,
      ReportTime: "",
      RunStatus: "inactive",
      FileDuration: 0,
      NextFileUrl: "",
    });

    await sdk.DeleteLivePullStreamTask({ TaskId, Operator: "bob" });
    assert.equal((await sdk.DescribeLivePullStreamTasks({ TaskId })).TotalNum, 0);
    await sdk.DeleteLivePullStreamTask({ TaskId: "", Operator: "bob", SpecifyTaskId: "mine-1" });
    assert.equal((await sdk.DescribeLivePullStreamTasks({})).TotalNum, 0);
  });

  test("Tencent's error codes for what OnAir refuses", async () => {
    const reject = (extra: Record<string, unknown>, code: string, message?: RegExp) =>
      rejectsWith(sdk.CreateLivePullStreamTask({ ...base(), ...extra }), code, message);
    await reject(
      { StartTime: inSeconds(7200), EndTime: inSeconds(3600) },
      "InvalidParameter.InvalidTaskTime",
      /later than StartTime/,
    );
    await reject(
      { StartTime: inSeconds(-7200), EndTime: inSeconds(-3600) },
      "InvalidParameter.InvalidTaskTime",
      /current time/,
    );
    await reject(
      { EndTime: inSeconds(31 * 86_400) },
      "InvalidParameter.InvalidTaskTime",
      /30 days/,
    );
    await reject({ StartTime: "tomorrow" }, "InvalidParameterValue");
    await reject(
      { SourceType: "PullLivePushLive" },
      "InvalidParameter.InvalidSourceUrl",
      /exactly one/,
    );
    await reject(
      { SourceUrls: ["file:///etc/passwd"] },
      "InvalidParameter.InvalidSourceUrl",
      /file:/,
    );
    await reject({ SourceUrls: ["rtsp://cam.example/1"] }, "InvalidParameter.InvalidSourceUrl");
    await reject(
      { SourceUrls: ["http://169.254.169.254/latest"] },
      "InvalidParameter.InvalidSourceUrl",
      /link-local/,
    );
    await reject({ SourceUrls: [] }, "InvalidParameter.InvalidSourceUrl");
    await reject({ SourceType: "PullPicPushLive" }, "UnsupportedOperation", /pictures/);
    await reject({ SourceType: "PullSomething" }, "InvalidParameterValue");
    await reject(
      { BackupSourceType: "PullLivePushLive", BackupSourceUrl: "rtmp://b/live/x" },
      "UnsupportedOperation",
    );
    await reject({ TranscodeTemplateName: "hd" }, "UnsupportedOperation", /transcoding/);
    await reject(
      {
        WatermarkList: [
          {
            PictureUrl: "http://x/p.png",
            XPosition: 0,
            YPosition: 0,
            Width: 10,
            Height: 10,
            Location: 0,
          },
        ],
      },
      "UnsupportedOperation",
    );
    await reject(
      { ToUrl: "rtmp://target.example/live/s" },
      "InvalidParameter.InvalidToUrl",
      /empty strings/,
    );
    await reject(
      { DomainName: "", AppName: "", StreamName: "", ToUrl: "srt://target.example:9000" },
      "InvalidParameter.InvalidToUrl",
    );
    await reject({ DomainName: "", AppName: "", StreamName: "" }, "InvalidParameterValue", /ToUrl/);
    await reject({ CallbackUrl: "ftp://x.example/cb" }, "InvalidParameter.InvalidCallbackUrl");
    await reject({ CallbackUrl: "http://169.254.169.254/cb" }, "InvalidParameter.UrlNotSafe");
    await reject({ CallbackEvents: ["TaskBegin"] }, "InvalidParameterValue");
    await reject({ VodLoopTimes: "-2" }, "InvalidParameterValue");
    await reject({ VodLoopTimes: "often" }, "InvalidParameterValue");
    await reject({ FileIndex: 3 }, "InvalidParameter.InvalidSourceUrl", /FileIndex/);
    await reject({ Region: "ap-guangzhou" }, "UnknownParameter");
    await rejectsWith(
      sdk.CreateLivePullStreamTask({ ...base(), Operator: undefined } as never),
      "MissingParameter",
    );

    // The quota (pullTasks.maxTasks, 3 here): the fourth is refused.
    for (let i = 0; i < 3; i++) await sdk.CreateLivePullStreamTask(base());
    await reject({}, "InvalidParameter.TaskNumMoreThanLimit");

    const missing = "pull_00000000000000000000000000";
    await rejectsWith(
      sdk.DescribeLivePullStreamTaskStatus({ TaskId: missing }),
      "InvalidParameter.TaskNotExist",
    );
    await rejectsWith(
      sdk.RestartLivePullStreamTask({ TaskId: missing, Operator: "x" }),
      "InvalidParameter.TaskNotExist",
    );
    await rejectsWith(
      sdk.DeleteLivePullStreamTask({ TaskId: missing, Operator: "x" }),
      "InvalidParameter.TaskNotExist",
    );
    await rejectsWith(
      sdk.ModifyLivePullStreamTask({ TaskId: missing, Operator: "x" }),
      "InvalidParameter.TaskNotExist",
    );
    const [task] = (await sdk.DescribeLivePullStreamTasks({})).TaskInfos ?? [];
    const TaskId = task?.TaskId ?? "";
    await rejectsWith(
      sdk.ModifyLivePullStreamTask({ TaskId, Operator: "x", ToUrl: "rtmp://other.example/live/s" }),
      "InvalidParameter.InvalidToUrl",
      /created with ToUrl/,
    );
    await rejectsWith(
      sdk.ModifyLivePullStreamTask({ TaskId, Operator: "x", Status: "stopped" } as never),
      "InvalidParameterValue",
    );
    await rejectsWith(
      sdk.ModifyLivePullStreamTask({ TaskId, Operator: "x", EndTime: inSeconds(-60) }),
      "InvalidParameter.InvalidTaskTime",
    );
    await rejectsWith(sdk.DescribeLivePullStreamTasks({ PageSize: 21 }), "InvalidParameterValue");
  });
});

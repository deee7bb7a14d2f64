import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { formatUtcTime } from "../../src/api/tencent-time.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type RecordingReceiver, startRecordingReceiver } from "../helpers/recording-receiver.js";
import { waitFor } from "../helpers/wait-for.js";
import { type HookedNginx, startHookedNginx } from "./hooks-nginx.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const run = promisify(execFile);
const inSeconds = (s: number) => formatUtcTime(new Date(Date.now() + s * 1000));
type Body = Record<string, unknown>;

/** The codecs ffprobe finds in a live RTMP stream (it reads a few seconds of it). */
async function probeCodecs(url: string): Promise<string[]> {
  const { stdout } = await run(
    "ffprobe",
    [
      "-v",
      "error",
      "-rw_timeout",
      "8000000",
      "-show_entries",
      "stream=codec_name",
      "-of",
      "json",
      url,
    ],
    { timeout: 15_000 },
  );
  const parsed = JSON.parse(stdout) as { streams: { codec_name: string }[] };
  return parsed.streams.map((s) => s.codec_name).sort();
}

const relayEvents = (bodies: Body[], taskId: string) =>
  bodies.filter((b) => b.event_type === 314 && b.task_id === taskId);

/**
 * PullLivePushLive with real processes: an ffmpeg push into OnAir is relayed by a task, once
 * into OnAir itself under another stream name (a push like any other: its own 1 and 0
 * callbacks, playable) and once into a real nginx-rtmp by ToUrl; ffprobe reads both targets, and
 * the 314s reach real receivers in order with Tencent's fields. Then nginx goes away and comes
 * back on the same port: the task raises TaskAlarm PushStreamFailed, retries, and relays again.
 */
describe("pull-and-relay tasks, live sources (CreateLivePullStreamTask PullLivePushLive)", () => {
  let h: IngestHarness;
  let hook: RecordingReceiver;
  let plain: RecordingReceiver;
  let nginx: HookedNginx;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 4000 },
      { pullTasks: { pollMs: 200, stallMs: 4000 } },
    );
    hook = await startRecordingReceiver("/on_publish");
    plain = await startRecordingReceiver("/relay");
    nginx = await startHookedNginx({ hookUrl: hook.url });
  });
  after(async () => {
    await h?.stop();
    await nginx?.stop();
    await hook?.close();
    await plain?.close();
  });

  test("an OnAir stream relayed into OnAir and into nginx-rtmp; 314s in order with Tencent's fields", async () => {
    const source = h.rtmpUrl(`live/relaysrc?domain=${TEST_DOMAIN}`);
    const ffmpeg = publishWithFfmpeg(source, { seconds: 40 });
    try {
      await h.events("relaysrc", 1);
      const created = await h.sdk.CreateLivePullStreamTask({
        SourceType: "PullLivePushLive",
        SourceUrls: [source],
        DomainName: TEST_DOMAIN,
        AppName: "live",
        StreamName: "relayed",
        StartTime: inSeconds(-5),
        EndTime: inSeconds(60),
        Operator: "test",
        CallbackUrl: h.receiver.url,
      });
      const toNginx = await h.sdk.CreateLivePullStreamTask({
        SourceType: "PullLivePushLive",
        SourceUrls: [source],
        DomainName: "",
        AppName: "",
        StreamName: "",
        ToUrl: nginx.rtmpUrl("live/relayed2"),
        StartTime: inSeconds(-5),
        EndTime: inSeconds(60),
        Operator: "test",
        CallbackUrl: plain.url,
      });
      const taskId = created.TaskId ?? "";

      // The relayed stream is an OnAir push: its push callback, then playback of it.
      const [push] = await h.events("relayed", 1, 1, 10_000);
      assert.equal(push?.app, TEST_DOMAIN);
      assert.equal(push?.appname, "live");
      await waitFor("nginx's on_publish of the relay", () =>
        hook.received.some((r) => r.body.includes("relayed2")),
      );
      const [inOnAir, inNginx] = await Promise.all([
        probeCodecs(h.rtmpUrl(`live/relayed?domain=${TEST_DOMAIN}`)),
        probeCodecs(nginx.rtmpUrl("live/relayed2")).catch((err: Error) => {
          throw new Error(`${err.message}\n${nginx.log()}`);
        }),
      ]);
      assert.deepEqual(inOnAir, ["aac", "h264"]);
      assert.deepEqual(inNginx, ["aac", "h264"]);
      const status = await h.sdk.DescribeLivePullStreamTaskStatus({ TaskId: taskId });
      assert.equal(status.TaskStatusInfo?.RunStatus, "active");
      assert.equal(status.TaskStatusInfo?.FileUrl, source);

      // EndTime brought forward (Modify): at EndTime, TaskExit, and the relayed push ends.
      for (const TaskId of [taskId, toNginx.TaskId ?? ""]) {
        await h.sdk.ModifyLivePullStreamTask({ TaskId, Operator: "test", EndTime: inSeconds(2) });
      }
      const exit = await waitFor(
        "TaskExit of the OnAir task",
        async () => {
          const events = relayEvents(await h.events("relayed", 314, 1, 12_000), taskId);
          return events.some((e) => e.callback_event === "TaskExit") ? events : null;
        },
        { timeoutMs: 12_000 },
      );
      await h.events("relayed", 0, 1, 8000);
      assert.deepEqual(
        exit.map((e) => e.callback_event),
        ["TaskStart", "TaskExit"],
        "a live task without failures: TaskStart, then TaskExit",
      );
      const start = exit[0] as Body;
      assert.equal(start.event_type, 314);
      assert.equal(start.interface, "general_callback");
      assert.equal(start.product_name, "pullpush");
      assert.equal(start.stream_id, "relayed");
      assert.equal(start.to_url, `rtmp://${TEST_DOMAIN}/live/relayed`);
      assert.equal(start.callback_url, h.receiver.url);
      assert.equal(start.source_urls, `${JSON.stringify([source])}\n`);
      assert.equal(typeof start.appid, "number");
      const startMsg = JSON.parse(String(start.msg)) as { task_start_time: number };
      assert.ok(Math.abs(startMsg.task_start_time - Date.now()) < 30_000, "task_start_time is ms");
      const exitMsg = JSON.parse(String((exit[1] as Body).msg)) as Body;
      assert.equal(exitMsg.code, "0");
      assert.match(String(exitMsg.message), /EndTime/);
      assert.ok(Number(exitMsg.task_exit_time) >= startMsg.task_start_time);
      // Signed with the CallbackKey of the template the target's rule picks: the receiver verified them.
      assert.ok(
        h.receiver.received.filter((r) => r.event?.event_type === 314).every((r) => r.verified),
        "every 314 to the receiver verified with the template's key",
      );

      // The ToUrl task's 314s: no template signs them (sign = MD5("" + t)).
      const nginxEvents = await waitFor("TaskExit of the nginx task", () => {
        const events = plain.received
          .map((r) => r.json)
          .filter((b) => b.task_id === toNginx.TaskId);
        return events.some((e) => e.callback_event === "TaskExit") ? events : null;
      });
      assert.deepEqual(
        nginxEvents.map((e) => e.callback_event),
        ["TaskStart", "TaskExit"],
      );
      assert.equal(nginxEvents[0]?.to_url, nginx.rtmpUrl("live/relayed2"));
      assert.equal(nginxEvents[0]?.stream_id, "");
      assert.equal(typeof nginxEvents[0]?.sign, "string");
    } finally {
      ffmpeg.child.kill("SIGKILL");
      await ffmpeg.exited;
    }
  });

  test("the target goes away and comes back: TaskAlarm PushStreamFailed, retried, relaying again", async () => {
    const source = h.rtmpUrl(`live/flaky?domain=${TEST_DOMAIN}`);
    const ffmpeg = publishWithFfmpeg(source, { seconds: 30 });
    try {
      await h.events("flaky", 1);
      const port = nginx.rtmpPort;
      const target = nginx.rtmpUrl("live/flakyout");
      const { TaskId = "" } = await h.sdk.CreateLivePullStreamTask({
        SourceType: "PullLivePushLive",
        SourceUrls: [source],
        DomainName: "",
        AppName: "",
        StreamName: "",
        ToUrl: target,
        StartTime: inSeconds(-5),
        EndTime: inSeconds(60),
        Operator: "test",
        CallbackUrl: plain.url,
        CallbackEvents: ["TaskStart", "TaskAlarm", "TaskExit"],
      });
      const active = async () =>
        (await h.sdk.DescribeLivePullStreamTaskStatus({ TaskId })).TaskStatusInfo?.RunStatus ===
        "active";
      await waitFor("the relay to nginx to run", active, { timeoutMs: 10_000, intervalMs: 200 });

      await nginx.stop({ fast: true });
      const alarm = await waitFor("TaskAlarm PushStreamFailed", () =>
        plain.received
          .map((r) => r.json)
          .find((b) => b.task_id === TaskId && b.callback_event === "TaskAlarm"),
      );
      const alarmMsg = JSON.parse(String(alarm.msg)) as Body;
      assert.equal(alarmMsg.alarm_type, "PushStreamFailed");
      assert.ok(String(alarmMsg.message).length > 0, "the alarm says why");
      await waitFor(
        "the status to say inactive while nginx is down",
        async () => !(await active()),
        {
          intervalMs: 200,
        },
      );

      nginx = await startHookedNginx({ hookUrl: hook.url, port });
      await waitFor("the relay to run again", active, { timeoutMs: 15_000, intervalMs: 200 });
      assert.deepEqual(await probeCodecs(target), ["aac", "h264"]);
      await h.sdk.DeleteLivePullStreamTask({ TaskId, Operator: "test" });
      const events = await waitFor("TaskExit after the delete", () => {
        const mine = plain.received.map((r) => r.json).filter((b) => b.task_id === TaskId);
        return mine.some((b) => b.callback_event === "TaskExit") ? mine : null;
      });
      const names = events.map((e) => e.callback_event);
      assert.equal(names[0], "TaskStart");
      assert.equal(names.at(-1), "TaskExit");
      assert.ok(names.filter((n) => n === "TaskAlarm").length >= 1);
      assert.match(String(JSON.parse(String(events.at(-1)?.msg)).message), /deleted/);
    } finally {
      ffmpeg.child.kill("SIGKILL");
      await ffmpeg.exited;
    }
  });
});

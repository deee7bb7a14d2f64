import assert from "node:assert/strict";
import { test } from "node:test";
import {
  IDLE_RUN_STATE,
  type PullTask,
  relayBackoffMs,
  roundsToPlay,
  wantsCallback,
  wantsToRun,
} from "../../src/domain/pull-task.js";

const task = (over: Partial<PullTask> = {}): PullTask => ({
  id: "pull_1",
  specifyTaskId: "",
  config: {
    sourceType: "PullVodPushLive",
    sourceUrls: ["http://127.0.0.1/a.mp4"],
    domainName: "d.example",
    appName: "live",
    streamName: "s",
    pushArgs: "",
    toUrl: "",
    callbackUrl: "http://127.0.0.1/cb",
    callbackEvents: [],
    vodLoopTimes: -1,
    vodRefreshType: "ImmediateNewSource",
    fileIndex: 0,
    offsetTime: 0,
    comment: "",
  },
  startTime: new Date(1000),
  endTime: new Date(2000),
  status: "enable",
  createBy: "a",
  updateBy: "a",
  configVersion: 0,
  restartVersion: 0,
  doneVersion: null,
  run: { ...IDLE_RUN_STATE },
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

test("VodLoopTimes as Tencent defines it: -1 until EndTime, 0 no loop (one round), N rounds", () => {
  assert.equal(roundsToPlay(-1), Number.POSITIVE_INFINITY);
  assert.equal(roundsToPlay(0), 1);
  assert.equal(roundsToPlay(1), 1);
  assert.equal(roundsToPlay(2), 2);
});

test("a task runs when enabled, inside [StartTime, EndTime), and not done in this run", () => {
  assert.equal(wantsToRun(task(), new Date(999)), false);
  assert.equal(wantsToRun(task(), new Date(1000)), true);
  assert.equal(wantsToRun(task(), new Date(2000)), false, "EndTime is exclusive");
  assert.equal(wantsToRun(task({ status: "pause" }), new Date(1500)), false);
  assert.equal(wantsToRun(task({ doneVersion: 0 }), new Date(1500)), false);
  assert.equal(wantsToRun(task({ doneVersion: 0, restartVersion: 1 }), new Date(1500)), true);
});

test("CallbackEvents empty means every event; no CallbackUrl means none", () => {
  const config = task().config;
  assert.equal(wantsCallback(config, "TaskAlarm"), true);
  assert.equal(wantsCallback({ ...config, callbackEvents: ["TaskExit"] }, "TaskAlarm"), false);
  assert.equal(wantsCallback({ ...config, callbackEvents: ["TaskExit"] }, "TaskExit"), true);
  assert.equal(wantsCallback({ ...config, callbackUrl: "" }, "TaskExit"), false);
});

test("restart back-off: 1 s, doubling, at most 30 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 20].map(relayBackoffMs),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000],
  );
});

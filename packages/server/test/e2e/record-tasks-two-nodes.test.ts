import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { routeCallbacks } from "../helpers/callback-route.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { schemaUrl } from "../helpers/test-database.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { type ReceiverProcess, startReceiver } from "./receiver.js";

const DOMAIN = "tasks.onair.test";
const KEY = "TaskNodesKey";
const unixNow = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two nodes on one PostgreSQL schema: a CreateRecordTask and a StopRecordTask sent to node A
 * are carried out by node B, which holds the publish; node A records nothing.
 */
describe("record tasks on two nodes sharing PostgreSQL", { timeout: 30_000 }, () => {
  let a: TestOnAir;
  let b: TestOnAir;
  let receiver: ReceiverProcess;
  before(async () => {
    receiver = await startReceiver({ key: KEY });
    const ingest = { defaultDomain: DOMAIN, idleTimeoutMs: 10_000 };
    a = await startTestOnAir({
      postgres: true,
      rtmp: true,
      flags: { nodeId: "task-a", ingest, dispatcher: { pollIntervalMs: 50 } },
    });
    b = await startTestOnAir({
      rtmp: true,
      flags: {
        nodeId: "task-b",
        databaseUrl: schemaUrl(a.schema ?? ""),
        ingest,
        dispatcher: { pollIntervalMs: 50 },
      },
    });
    await routeCallbacks(a.onair.store, {
      name: "tasks",
      urls: {
        StreamBeginNotifyUrl: receiver.url,
        RecordNotifyUrl: receiver.url,
        RecordStatusNotifyUrl: receiver.url,
      },
      callbackKey: KEY,
      domainName: DOMAIN,
    });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await receiver?.stop();
  });

  test("the holding node records; a stop sent to the other node ends it", async () => {
    const { TemplateId } = await a.sdk.CreateLiveRecordTemplate({
      TemplateName: "nodesflv",
      FlvParam: { RecordInterval: 600, StorageTime: 0, Enable: 1 },
    });
    const ffmpeg = publishWithFfmpeg(b.rtmpUrl("live/across"), { seconds: 15 });
    try {
      const events = (type: number) =>
        receiver.received
          .filter(
            (r) => r.verified && r.event?.stream_id === "across" && r.event?.event_type === type,
          )
          .map((r) => r.event as Record<string, unknown>);
      await waitFor("the push on node B", () => events(1).length > 0 || undefined);
      const { TaskId = "" } = await a.sdk.CreateRecordTask({
        StreamName: "across",
        DomainName: DOMAIN,
        AppName: "live",
        EndTime: unixNow() + 60,
        TemplateId: TemplateId as number,
      });
      await waitFor(
        "record_start_succeeded of the task",
        () => events(332).some((e) => e.task_id === TaskId) || undefined,
        { timeoutMs: 5_000, intervalMs: 100 },
      );
      await sleep(2_000);
      await a.sdk.StopRecordTask({ TaskId });
      const file = await waitFor(
        "the task's file",
        () => events(100).find((e) => e.task_id === TaskId),
        { timeoutMs: 8_000, intervalMs: 100 },
      );
      assert.ok(Number(file.duration) <= 5, `stopped after ${file.duration} s`);
      assert.match(String(file.video_url), new RegExp(`:${b.onair.httpPort}/files/record/`));
      assert.equal(events(100).length, 1, "one file: node A never recorded");
      assert.equal(existsSync(join(b.dataDir, "files", "record", DOMAIN)), true);
      assert.equal(existsSync(join(a.dataDir, "files", "record", DOMAIN)), false);
    } finally {
      ffmpeg.child.kill("SIGKILL");
    }
  });
});

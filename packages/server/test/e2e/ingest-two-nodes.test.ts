import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import pg from "pg";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import { type IngestNodeProcess, spawnIngestNode } from "../helpers/ingest-node-process.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { TEST_DATABASE_URL } from "../helpers/test-database.js";
import { waitFor } from "../helpers/wait-for.js";
import { type ReceiverProcess, startReceiver } from "./receiver.js";

const DOMAIN = "multi.onair.test";
const KEY = "MultiNodeKey";
/** The domain has push auth on: only a publisher with the key may replace a live one. */
const PUSH_KEY = "MultiNodePushKey01";

type NodeProcess = IngestNodeProcess;

function startNode(id: string, databaseUrl: string, dataDir: string): Promise<NodeProcess> {
  return spawnIngestNode({ NODE_ID: id, NODE_DATABASE_URL: databaseUrl, NODE_DATA_DIR: dataDir });
}

/**
 * Two OnAir nodes ingesting on one PostgreSQL: the online list and the duplicate-publisher check
 * are global, DropLiveStream reaches the node holding the publisher, and a node killed with -9
 * has its publishes reported interrupted (errcode 5) by the survivor.
 */
describe("RTMP ingest on two nodes sharing PostgreSQL", { timeout: 60_000 }, () => {
  const schema = `onair_ingest_${randomBytes(6).toString("hex")}`;
  const databaseUrl = `${TEST_DATABASE_URL}?schema=${schema}`;
  const dirs = [mkdtempSync(join(tmpdir(), "onair-ia-")), mkdtempSync(join(tmpdir(), "onair-ib-"))];
  let receiver: ReceiverProcess;
  let a: NodeProcess;
  let b: NodeProcess;

  const events = async (stream: string, eventType: number, count = 1) => {
    const found = await waitFor(`${count} event_type ${eventType} for ${stream}`, () => {
      const matching = receiver.received.filter(
        (r) => r.verified && r.event?.stream_id === stream && r.event?.event_type === eventType,
      );
      return matching.length >= count ? matching : undefined;
    });
    return found.map((r) => r.event as Record<string, unknown>);
  };
  const publishOn = async (node: NodeProcess, stream: string) => {
    const client = await RtmpTestClient.connect(node.rtmpPort);
    const { txSecret, txTime } = signPushUrl({
      key: PUSH_KEY,
      streamName: stream,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    const { code, streamId } = await client.publish({
      stream: `${stream}?txSecret=${txSecret}&txTime=${txTime}`,
    });
    assert.equal(code, "NetStream.Publish.Start");
    client.sendAudio(streamId, 0);
    return client;
  };

  before(async () => {
    receiver = await startReceiver({ key: KEY });
    const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, schema });
    await store.migrate();
    await routeCallbacks(store, {
      name: "multi",
      urls: { StreamBeginNotifyUrl: receiver.url, StreamEndNotifyUrl: receiver.url },
      callbackKey: KEY,
      domainName: DOMAIN,
    });
    await store.domains.create({
      name: DOMAIN,
      type: 0,
      pushAuth: { enabled: true, mainKey: PUSH_KEY, backupKey: "", authDeltaSeconds: 0 },
    });
    await store.close();
    a = await startNode("node-a", databaseUrl, dirs[0] as string);
    b = await startNode("node-b", databaseUrl, dirs[1] as string);
  });
  after(async () => {
    for (const node of [a, b]) node?.child.kill("SIGKILL");
    await receiver?.stop();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("a publish on node A is online for node B's API, and B's DropLiveStream reaches A", async () => {
    const client = await publishOn(a, "on-a");
    await events("on-a", 1);
    const online = await b.sdk.DescribeLiveStreamOnlineList({ DomainName: DOMAIN });
    assert.deepEqual(
      online.OnlineInfo?.map((i) => i.StreamName),
      ["on-a"],
    );
    await b.sdk.DropLiveStream({ DomainName: DOMAIN, AppName: "live", StreamName: "on-a" });
    const [end] = await events("on-a", 0);
    assert.equal(end?.errcode, 21);
    assert.equal(end?.errmsg, "The stream was stopped at your request", "21/100");
    await client.closed;
  });

  test("B's ForbidLiveStream of a publish on A: 21 with 21/101's text, from node A", async () => {
    const client = await publishOn(a, "banned-on-a");
    await events("banned-on-a", 1);
    const key = { DomainName: DOMAIN, AppName: "live", StreamName: "banned-on-a" };
    await b.sdk.ForbidLiveStream(key);
    const [end] = await events("banned-on-a", 0);
    assert.equal(end?.errcode, 21);
    assert.equal(end?.errmsg, "The stream was disabled at your request");
    await client.closed;
    await b.sdk.ResumeLiveStream(key);
  });

  test("a second publisher on node B replaces the one on node A", async () => {
    const first = await publishOn(a, "contested");
    const [push] = await events("contested", 1);
    const second = await publishOn(b, "contested");
    const [end] = await events("contested", 0);
    assert.equal(end?.errcode, 21);
    assert.equal(end?.errmsg, "A new push URL replaced the current one", "21/102");
    assert.equal(end?.sequence, push?.sequence);
    await first.closed;
    const online = await a.sdk.DescribeLiveStreamOnlineList({
      DomainName: DOMAIN,
      StreamName: "contested",
    });
    assert.equal(online.TotalNum, 1);
    second.end();
    await events("contested", 0, 2);
  });

  test("node A killed with -9: node B reports its publish interrupted with errcode 5", async () => {
    await publishOn(a, "orphan");
    const [push] = await events("orphan", 1);
    a.child.kill("SIGKILL");
    const [end] = await events("orphan", 0);
    assert.equal(end?.errcode, 5);
    assert.equal(end?.sequence, push?.sequence);
    const online = await b.sdk.DescribeLiveStreamOnlineList({ DomainName: DOMAIN });
    assert.equal(online.TotalNum, 0);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { systemClock } from "../../src/domain/clock.js";
import { encodeFlvTag, FLV_HEADER } from "../../src/media/flv-file.js";
import type { FlvTag } from "../../src/media/flv-tag.js";
import { RELAY_HEADER, verifyRelayCredential } from "../../src/playback/relay-credential.js";
import { UpstreamPulls } from "../../src/playback/upstream-pull.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { testLogger } from "../helpers/log-capture.js";
import { waitFor } from "../helpers/wait-for.js";

const KEY = "holder-relay-key";
const MAX_TAG = 64 * 1024;
const avcHeader: FlvTag = { type: 9, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1]) };
const keyframe = (ts: number): FlvTag => ({
  type: 9,
  timestamp: ts,
  data: Buffer.from([0x17, 1, 0, 0, 0, 9]),
});
const interframe = (ts: number): FlvTag => ({
  type: 9,
  timestamp: ts,
  data: Buffer.from([0x27, 1, 0, 0, 0, 8]),
});

/** What the fake holder does with one pull: its response, kept open until the test ends it. */
type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The pulling side against a real HTTP server playing the holding node, with the registry in a
 * real SQLite store: one request however many viewers, the relay credential, the end of the
 * holder's response or a bad tag ending the viewers, the linger.
 */
describe("UpstreamPulls", () => {
  const dir = mkdtempSync(join(tmpdir(), "onair-pull-"));
  let store: Store;
  let behaviour: Behaviour;
  const requests: IncomingMessage[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    requests.push(req);
    open.add(res);
    res.on("close", () => open.delete(res));
    behaviour(req, res);
  });
  const pulls = (lingerMs: number) =>
    new UpstreamPulls({
      store,
      clock: systemClock,
      logger: testLogger(),
      nodeId: "puller",
      lingerMs,
      timeoutMs: 5000,
      maxGopBytes: 1024 * 1024,
      maxTagBytes: MAX_TAG,
    });
  const collect = () => {
    const got = { tags: [] as FlvTag[], ended: false };
    return {
      got,
      sink: { onTag: (tag: FlvTag) => got.tags.push(tag), onEnd: () => (got.ended = true) },
    };
  };
  const live = async (streamName: string) => {
    await store.streams.register({
      domainName: "push.example",
      appName: "live",
      streamName,
      sequence: `seq-${streamName}`,
      nodeId: "holder",
      serverIp: "127.0.0.1",
      clientIp: "127.0.0.1",
      streamParam: "",
      width: 640,
      height: 360,
      startedAt: new Date(),
    });
  };

  before(async () => {
    store = createSqliteStore({ path: join(dir, "onair.db") });
    await store.migrate();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await store.streams.advertise(
      "holder",
      { httpAddress: `127.0.0.1:${port}`, relayKey: KEY },
      new Date(),
    );
  });
  after(async () => {
    for (const res of open) res.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("two viewers, one request with a relay credential; the GOP first; the response's end ends both", async () => {
    await live("cam1");
    behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "video/x-flv" });
      res.write(
        Buffer.concat([
          FLV_HEADER,
          ...[avcHeader, keyframe(0), interframe(40)].map((t) => encodeFlvTag(t, t.timestamp)),
        ]),
      );
    };
    const upstream = pulls(60_000);
    const [first, second] = await Promise.all([
      upstream.acquire("live", "cam1"),
      upstream.acquire("live", "cam1"),
    ]);
    assert.ok(first && second);
    assert.equal(first.source, second.source);
    assert.equal(requests.length, 1);
    const req = requests[0] as IncomingMessage;
    assert.equal(req.url, "/live/cam1.flv");
    const verdict = verifyRelayCredential({
      key: KEY,
      credential: String(req.headers[RELAY_HEADER]),
      stream: "live/cam1",
      nowMs: Date.now(),
    });
    assert.deepEqual(verdict, { ok: true, puller: "puller" });
    assert.equal(first.source.stream.key.domainName, "push.example");
    await waitFor("the GOP read", () => first.source.startTags().length === 3);
    const viewer = collect();
    first.source.add(viewer.sink);
    assert.deepEqual(
      viewer.got.tags.map((t) => t.timestamp),
      [0, 0, 40],
      "a viewer joining starts with the sequence header and the GOP",
    );
    for (const res of open) res.end();
    await waitFor("the viewer ended", () => viewer.got.ended);
    assert.deepEqual([...upstream.running()], []);
    first.release();
    second.release();
    upstream.stop();
  });

  test("the last viewer gone, the pull lingers, then its request is closed", async () => {
    await live("cam2");
    behaviour = (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.concat([FLV_HEADER, encodeFlvTag(avcHeader, 0)]));
    };
    const upstream = pulls(0);
    const before = requests.length;
    const lease = await upstream.acquire("live", "cam2");
    assert.ok(lease);
    const req = requests[before] as IncomingMessage;
    const closed = new Promise<void>((resolve) => req.socket.once("close", () => resolve()));
    lease.release();
    lease.release();
    await closed;
    assert.ok(lease.source.ended);
    assert.deepEqual([...upstream.running()], []);
  });

  test("a holder answering 404, or no publish in the registry: no pull", async () => {
    await live("gone");
    behaviour = (_req, res) => {
      res.writeHead(404);
      res.end();
    };
    const upstream = pulls(60_000);
    assert.equal(await upstream.acquire("live", "gone"), null);
    const before = requests.length;
    assert.equal(await upstream.acquire("live", "never"), null);
    assert.equal(requests.length, before, "nothing asked of a holder for a stream not live");
    assert.deepEqual([...upstream.running()], []);
  });

  test("a tag over the bound ends the pull and its viewers", async () => {
    await live("big");
    behaviour = (_req, res) => {
      res.writeHead(200);
      const big = encodeFlvTag({ type: 9, timestamp: 0, data: Buffer.alloc(MAX_TAG + 1) }, 0);
      res.write(Buffer.concat([FLV_HEADER, encodeFlvTag(avcHeader, 0)]));
      setTimeout(() => res.write(big), 20);
    };
    const upstream = pulls(60_000);
    const lease = await upstream.acquire("live", "big");
    assert.ok(lease);
    const viewer = collect();
    lease.source.add(viewer.sink);
    await waitFor("the viewer ended", () => viewer.got.ended);
    lease.release();
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Errcode } from "@onair/callbacks";
import type { PublishRequest } from "../../src/ingest/session/publish-host.js";
import type { FlvTag } from "../../src/media/flv-tag.js";
import { LivePublish } from "../../src/streams/live-publish.js";

const KEY = { domainName: "push.example", appName: "live", streamName: "s" };

function publish(announceAfterMs = 60_000) {
  const drops: [number, string][] = [];
  const request: PublishRequest = {
    domain: KEY.domainName,
    appName: KEY.appName,
    streamName: KEY.streamName,
    streamParam: "a=1",
    tcUrl: "rtmp://push.example/live",
    clientIp: "203.0.113.7",
    serverIp: "198.51.100.1",
    connection: { id: "c1", drop: (errcode, detail) => drops.push([errcode, detail]) },
  };
  return { live: new LivePublish(KEY, request, "seq-1", 1000, announceAfterMs), drops };
}

/** What settled within one turn of the event loop, in order. */
async function state(p: LivePublish): Promise<string[]> {
  const seen: string[] = [];
  void p.announced.then(() => seen.push("announced"));
  void p.ended.then(() => seen.push("ended"));
  await new Promise((resolve) => setImmediate(resolve));
  return seen;
}

describe("LivePublish reports by promises, in order", () => {
  test("onMetaData with a size announces it; nothing has ended", async () => {
    const { live } = publish();
    const tag: FlvTag = { type: 18, timestamp: 0, data: Buffer.alloc(0) };
    live.onMetadata({ width: 1280, height: 720 }, tag);
    assert.deepEqual(await state(live), ["announced"]);
    assert.equal(live.width, 1280);
    assert.equal(live.height, 720);
  });

  test("an end before any size announces first, then ends with the session's errcode", async () => {
    const { live, drops } = publish();
    live.end(Errcode.ClientDeleteStream, "client unpublished");
    live.end(Errcode.ClientClosedConnection, "a later cause loses");
    assert.deepEqual(await state(live), ["announced", "ended"]);
    assert.deepEqual(await live.ended, { errcode: 1, detail: "client unpublished" });
    assert.equal(live.closed, true);
    assert.deepEqual(drops, []);
  });

  test("drop ends the publish itself, then closes the connection once", async () => {
    const { live, drops } = publish();
    live.drop(Errcode.Dropped, "drop requested through the API");
    // The session's own end that follows the close finds it ended.
    live.end(Errcode.Dropped, "drop requested through the API");
    assert.deepEqual(await live.ended, { errcode: 21, detail: "drop requested through the API" });
    assert.deepEqual(drops, [[21, "drop requested through the API"]]);
  });

  test("with no size, it announces after announceAfterMs", async () => {
    // Long enough that a loaded machine's turn of the event loop does not outlast it.
    const { live } = publish(300);
    assert.deepEqual(await state(live), []);
    // The publish's timer does not hold the process open; this one keeps the test alive.
    const alive = setTimeout(() => undefined, 5000);
    await live.announced;
    clearTimeout(alive);
    assert.equal(live.closed, false);
  });

  test("it is a PublishedStream: identity and a late subscriber gets onEnd at once", () => {
    const { live } = publish();
    assert.equal(live.streamParam, "a=1");
    assert.equal(live.sequence, "seq-1");
    live.end(Errcode.InternalError, "server shutting down");
    let ended = 0;
    live.subscribe({ onTag: () => assert.fail("no tags after the end"), onEnd: () => ended++ });
    assert.equal(ended, 1);
  });
});

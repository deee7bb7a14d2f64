import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness } from "./ingest-harness.js";

/**
 * What a hostile RTMP peer can make the server hold is bounded, and the server keeps serving a
 * real ffmpeg push meanwhile. The attack is the one that took an unbounded server from 83 MiB
 * to 2.9 GB in ten seconds with six connections: after the handshake, Set Chunk Size 1,048,575,
 * then on chunk after chunk stream a header declaring a 1 MiB message followed by all of it but
 * its last byte, so every message stays unfinished.
 */
const MESSAGE = 1024 * 1024;
const MAX_CONNECTIONS = 12;
const MAX_PER_IP = 8;

function setChunkSize(size: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(size);
  return RtmpTestClient.chunks({ csid: 2, typeId: 1, streamId: 0, payload });
}

/** One chunk holding all of a MESSAGE-byte video message but its last byte. */
function almostAMessage(csid: number, streamId: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = csid;
  header.writeUIntBE(MESSAGE, 4, 3);
  header[7] = 9;
  header.writeUInt32LE(streamId, 8);
  return Buffer.concat([header, Buffer.alloc(MESSAGE - 1, 0x17)]);
}

/** Writes unfinished messages on chunk streams 3… until the server closes the connection. */
async function attack(client: RtmpTestClient, streamId = 0): Promise<void> {
  let closed = false;
  void client.closed.then(() => {
    closed = true;
  });
  client.write(setChunkSize(MESSAGE - 1));
  for (let csid = 3; csid < 63 && !closed; csid++) {
    if (!client.socket.write(almostAMessage(csid, streamId))) {
      await Promise.race([
        new Promise((r) => client.socket.once("drain", r)),
        client.closed,
        new Promise((r) => setTimeout(r, 2000)),
      ]);
    }
  }
  await waitFor("the server to close the attacking connection", () => closed, { timeoutMs: 5000 });
  assert.ok(closed, "the server closed the attacking connection");
}

describe("RTMP resource limits against a hostile peer", () => {
  let h: IngestHarness;
  let peakPending = 0;
  let sampler: NodeJS.Timeout;
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${h.onair.httpPort}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} is exported`);
    return Number(line.split(" ")[1]);
  };

  before(async () => {
    h = await startIngestHarness({
      idleTimeoutMs: 10_000,
      maxConnections: MAX_CONNECTIONS,
      maxConnectionsPerIp: MAX_PER_IP,
    });
    sampler = setInterval(() => {
      metric("onair_rtmp_pending_bytes").then(
        (v) => {
          peakPending = Math.max(peakPending, v);
        },
        () => undefined,
      );
    }, 20);
  });
  after(async () => {
    clearInterval(sampler);
    await h.stop();
  });

  test("six connections that never publish: each closed at its first oversized message, a real push unharmed", async () => {
    const port = h.onair.rtmpPort as number;
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/real-during-attack"), { seconds: 6 });
    await h.events("real-during-attack", 1);
    const rssBefore = process.memoryUsage().rss;
    peakPending = 0;
    const attackers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        RtmpTestClient.connect(port, "127.0.0.1", `127.0.1.${i + 1}`),
      ),
    );
    await Promise.all(attackers.map((client) => attack(client)));
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    // Before a publish a connection may send 64 KiB messages and hold 128 KiB: the first
    // 1 MiB header ends it.
    assert.ok(peakPending <= 6 * 128 * 1024, `peak ${peakPending} bytes held`);
    assert.ok(rssGrowth < 128 * 1024 * 1024, `RSS grew ${rssGrowth} bytes`);
    const exit = await ffmpeg.exited;
    assert.equal(exit.code, 0, exit.stderr);
    const [end] = await h.events("real-during-attack", 0);
    assert.equal(end?.errcode, 1, "the real publisher ended normally");
  });

  test("a publisher that attacks: errcode 7 once it holds its per-connection limit", async () => {
    const port = h.onair.rtmpPort as number;
    const client = await RtmpTestClient.connect(port, "127.0.0.1", "127.0.2.1");
    const { code, streamId } = await client.publish({ stream: "hostile-publisher" });
    assert.equal(code, "NetStream.Publish.Start");
    await h.events("hostile-publisher", 1).catch(() => undefined);
    peakPending = 0;
    // ingest.maxPendingBytes defaults to 4 MiB: the fifth unfinished 1 MiB message passes it.
    await attack(client, streamId);
    const [end] = await h.events("hostile-publisher", 0);
    assert.equal(end?.errcode, 7);
    assert.ok(peakPending <= 4 * 1024 * 1024 + MESSAGE, `peak ${peakPending} bytes held`);
    assert.equal(await metric("onair_rtmp_pending_bytes"), 0, "nothing held once it closed");
  });

  test("connections per address and in total are bounded; other clients still connect", async () => {
    const port = h.onair.rtmpPort as number;
    const refusedBefore = await metric("onair_rtmp_connections_refused_total");
    const held: RtmpTestClient[] = [];
    for (let i = 0; i < MAX_PER_IP; i++)
      held.push(await RtmpTestClient.connect(port, "127.0.0.1", "127.0.3.1"));
    // One more from the same address is closed on accept, before any handshake byte is answered.
    const extra = connect({ port, host: "127.0.0.1", localAddress: "127.0.3.1" });
    const answered = await new Promise<boolean>((resolve) => {
      extra.on("data", () => resolve(true));
      extra.on("close", () => resolve(false));
      extra.on("error", () => undefined);
      extra.write(Buffer.alloc(1537, 3));
    });
    assert.equal(answered, false, "the connection over the per-address limit was closed");
    // Another address still gets in, until the node-wide limit.
    const others: RtmpTestClient[] = [];
    for (let i = held.length; i < MAX_CONNECTIONS; i++) {
      others.push(await RtmpTestClient.connect(port, "127.0.0.1", `127.0.4.${i}`));
    }
    await assert.rejects(
      RtmpTestClient.connect(port, "127.0.0.1", "127.0.5.1"),
      "over the node-wide limit",
    );
    assert.equal(await metric("onair_rtmp_connections_refused_total"), refusedBefore + 2);
    for (const client of [...held, ...others]) client.end();
    await Promise.all([...held, ...others].map((c) => c.closed));
    // The slots are free again.
    const again = await RtmpTestClient.connect(port, "127.0.0.1", "127.0.3.1");
    again.end();
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeAmf0 } from "../../src/ingest/rtmp/amf0.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { type IngestHarness, startIngestHarness } from "./ingest-harness.js";

/**
 * Byte-level clients for the endings ffmpeg cannot produce. Each starts a real publish (the push
 * callback arrives), then misbehaves; the server must close the connection and deliver the
 * interruption with the errcode of what happened (docs/ingest.md).
 */
describe("RTMP ingest: protocol faults end the publish with the right errcode", () => {
  let h: IngestHarness;
  before(async () => {
    h = await startIngestHarness({
      idleTimeoutMs: 10_000,
      pushEventWaitMs: 0,
      handshakeTimeoutMs: 1000,
    });
  });
  after(async () => {
    await h.stop();
  });

  async function livePublish(
    stream: string,
  ): Promise<{ client: RtmpTestClient; streamId: number }> {
    const client = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    const { code, streamId } = await client.publish({ stream });
    assert.equal(code, "NetStream.Publish.Start");
    client.sendAudio(streamId, 0);
    await h.events(stream, 1);
    return { client, streamId };
  }

  async function interruption(stream: string, client: RtmpTestClient): Promise<number> {
    const [end] = await h.events(stream, 0);
    await client.closed; // the server closed the connection
    return Number(end?.errcode);
  }

  test("closeStream → 2", async () => {
    const { client, streamId } = await livePublish("close-stream");
    client.command(["closeStream", 0, null], streamId);
    client.end();
    assert.equal(await interruption("close-stream", client), 2);
  });

  test("deleteStream → 1", async () => {
    const { client, streamId } = await livePublish("delete-stream");
    client.command(["FCUnpublish", 0, null, "delete-stream"]);
    client.command(["deleteStream", 0, null, streamId]);
    // deleteStream ends the publish, not the connection (a client may publish again on it).
    const [end] = await h.events("delete-stream", 0);
    assert.equal(end?.errcode, 1);
    client.end();
    await client.closed;
  });

  test("FCUnpublish then a close, without deleteStream → 2", async () => {
    const { client } = await livePublish("fc-unpublish");
    client.command(["FCUnpublish", 0, null, "fc-unpublish"]);
    client.end();
    assert.equal(await interruption("fc-unpublish", client), 2);
  });

  test("a TCP reset → 4", async () => {
    const { client } = await livePublish("reset");
    client.reset();
    assert.equal(await interruption("reset", client), 4);
  });

  test("a 2 MB message → 7, refused before it is buffered", async () => {
    const { client, streamId } = await livePublish("oversized");
    const header = Buffer.alloc(12);
    header[0] = 6; // fmt 0, chunk stream 6
    header.writeUIntBE(2 * 1024 * 1024, 4, 3);
    header[7] = 9; // video
    header.writeUInt32LE(streamId, 8);
    client.write(header);
    assert.equal(await interruption("oversized", client), 7);
  });

  test("garbage after the handshake → 6", async () => {
    const { client } = await livePublish("garbage");
    // fmt 2 on a chunk stream never opened: no message header to continue from.
    client.write(Buffer.from([0x80 | 37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]));
    assert.equal(await interruption("garbage", client), 6);
  });

  test("broken AMF in a command → 33", async () => {
    const { client } = await livePublish("broken-amf");
    const payload = Buffer.concat([encodeAmf0(["FCUnpublish", 9]), Buffer.from([0x42, 0x00])]);
    client.write(RtmpTestClient.chunks({ csid: 3, typeId: 20, streamId: 0, payload }));
    assert.equal(await interruption("broken-amf", client), 33);
  });

  test("broken AMF in metadata → 33", async () => {
    const { client, streamId } = await livePublish("broken-metadata");
    // A string that claims 500 bytes and has 3.
    const payload = Buffer.concat([
      encodeAmf0(["@setDataFrame", "onMetaData"]),
      Buffer.from([0x02, 0x01, 0xf4, 0x61, 0x62, 0x63]),
    ]);
    client.write(RtmpTestClient.chunks({ csid: 4, typeId: 18, streamId, payload }));
    assert.equal(await interruption("broken-metadata", client), 33);
  });

  test("a bad handshake version closes the connection and emits nothing", async () => {
    const before = h.receiver.received.length;
    const { connect } = await import("node:net");
    const socket = connect(h.onair.rtmpPort as number, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write(Buffer.concat([Buffer.from([6]), Buffer.alloc(1536)]));
    await new Promise((resolve) => socket.once("close", resolve));
    assert.equal(h.receiver.received.length, before);
  });

  test("a connection that never publishes is closed after the handshake timeout", async () => {
    const client = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    const started = Date.now();
    await client.closed;
    assert.ok(Date.now() - started >= 500, "not before the timeout");
  });

  test("the server keeps serving after every fault", async () => {
    const { client, streamId } = await livePublish("after-faults");
    client.command(["deleteStream", 0, null, streamId]);
    const [end] = await h.events("after-faults", 0);
    assert.equal(end?.errcode, 1);
    client.end();
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { PublishFlow } from "../../../src/ingest/client/publish-flow.js";
import { parseRtmpUrl } from "../../../src/ingest/client/rtmp-url.js";
import { type AmfValue, decodeAmf0, encodeAmf0 } from "../../../src/ingest/rtmp/amf0.js";
import { ChunkParser } from "../../../src/ingest/rtmp/chunk-parser.js";
import { encodeChunks } from "../../../src/ingest/rtmp/chunk-writer.js";
import type { RtmpMessage } from "../../../src/ingest/rtmp/message-types.js";
import { RtmpProtocolError } from "../../../src/ingest/rtmp/protocol-error.js";

const target = (() => {
  const r = parseRtmpUrl("rtmp://127.0.0.1:1935/live/cam1?k=v");
  if (!r.ok) throw new Error(r.reason);
  return r.value;
})();

const reply = (values: AmfValue[], streamId = 0): RtmpMessage => ({
  chunkStreamId: 3,
  typeId: 20,
  streamId,
  timestamp: 0,
  payload: encodeAmf0(values),
});
const names = (messages: RtmpMessage[]) =>
  messages.map((m) => (m.typeId === 20 ? String(decodeAmf0(m.payload)[0]) : `type${m.typeId}`));

describe("PublishFlow", () => {
  test("connect → releaseStream, FCPublish, createStream → publish on the given stream → live", () => {
    const flow = new PublishFlow(target);
    const start = flow.start();
    assert.deepEqual(names(start), ["type1", "connect"]);
    const connect = decodeAmf0((start[1] as RtmpMessage).payload);
    assert.deepEqual(connect[2], {
      app: "live",
      type: "nonprivate",
      flashVer: "FMLE/3.0 (compatible; OnAir)",
      tcUrl: "rtmp://127.0.0.1:1935/live",
    });
    const connected = flow.onMessage(
      reply(["_result", 1, { fmsVer: "FMS/3" }, { code: "NetConnection.Connect.Success" }]),
    );
    assert.deepEqual(names(connected.send), ["releaseStream", "FCPublish", "createStream"]);
    const created = flow.onMessage(reply(["_result", 4, null, 7]));
    const publish = created.send[0] as RtmpMessage;
    assert.equal(publish.streamId, 7);
    assert.deepEqual(decodeAmf0(publish.payload), ["publish", 0, null, "cam1?k=v", "live"]);
    const started = flow.onMessage(
      reply(["onStatus", 0, null, { level: "status", code: "NetStream.Publish.Start" }], 7),
    );
    assert.equal(started.publishing, true);
    assert.ok(flow.live);
    assert.deepEqual(names(flow.stop()), ["FCUnpublish", "deleteStream"]);
  });

  test("a refused publish, an _error and a bad stream id are failures with the target's words", () => {
    const refused = new PublishFlow(target);
    refused.onMessage(reply(["_result", 1, null, { code: "NetConnection.Connect.Success" }]));
    refused.onMessage(reply(["_result", 4, null, 1]));
    const step = refused.onMessage(
      reply([
        "onStatus",
        0,
        null,
        { level: "error", code: "NetStream.Publish.BadName", description: "taken" },
      ]),
    );
    assert.equal(step.failed, "NetStream.Publish.BadName: taken");
    const rejected = new PublishFlow(target).onMessage(
      reply(["_error", 1, null, { code: "NetConnection.Connect.Rejected" }]),
    );
    assert.match(rejected.failed ?? "", /Connect\.Rejected/);
    const bad = new PublishFlow(target);
    bad.onMessage(reply(["_result", 1, null, {}]));
    assert.match(bad.onMessage(reply(["_result", 4, null, "x"])).failed ?? "", /stream id/);
  });

  test("window size kept, pings answered with the same timestamp", () => {
    const flow = new PublishFlow(target);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(2_500_000);
    flow.onMessage({ chunkStreamId: 2, typeId: 5, streamId: 0, timestamp: 0, payload: size });
    assert.equal(flow.windowAckSize, 2_500_000);
    const ping = Buffer.from([0, 6, 0, 0, 1, 2]);
    const pong = flow.onMessage({
      chunkStreamId: 2,
      typeId: 4,
      streamId: 0,
      timestamp: 0,
      payload: ping,
    }).send[0];
    assert.deepEqual(pong?.payload, Buffer.from([0, 7, 0, 0, 1, 2]));
  });

  /**
   * A target is untrusted: whatever bytes it sends, parsed by the chunk parser and fed to the
   * flow, the only exception is a RtmpProtocolError; the flow's answers stay bounded.
   */
  test("fuzz: random and mutated replies never throw anything but RtmpProtocolError", () => {
    const good = Buffer.concat(
      [
        reply(["_result", 1, { fmsVer: "FMS/3" }, { code: "NetConnection.Connect.Success" }]),
        reply(["onFCPublish", 0, null, { code: "NetStream.Publish.Start" }]),
        reply(["_result", 4, null, 1]),
        reply(["onStatus", 0, null, { level: "status", code: "NetStream.Publish.Start" }], 1),
      ].map((m) => encodeChunks(m, 128)),
    );
    const mutated = fc
      .array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
        maxLength: 8,
      })
      .map((edits) => {
        const copy = Buffer.from(good);
        for (const [at, value] of edits) copy[at] = value;
        return copy;
      });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
      mutated,
    );
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 64 }), (bytes, piece) => {
        const flow = new PublishFlow(target);
        flow.start();
        const parser = new ChunkParser({
          maxMessageBytes: 64 * 1024,
          maxPendingBytes: 128 * 1024,
          maxChunkStreams: 16,
        });
        try {
          for (let at = 0; at < bytes.length; at += piece) {
            for (const message of parser.push(bytes.subarray(at, at + piece))) {
              const step = flow.onMessage(message);
              assert.ok(step.send.length <= 3);
              if (step.failed !== undefined) assert.ok(step.failed.length <= 260);
            }
          }
        } catch (err) {
          if (!(err instanceof RtmpProtocolError)) throw err;
        }
      }),
      { numRuns: 20_000 },
    );
  });
});

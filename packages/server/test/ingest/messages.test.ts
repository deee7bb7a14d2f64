import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeAmf0 } from "../../src/ingest/rtmp/amf0.js";
import type { RtmpMessage } from "../../src/ingest/rtmp/message-types.js";
import {
  acknowledgement,
  command,
  onFcPublish,
  onStatus,
  pingResponse,
  publish,
  result,
  sampleAccess,
  setChunkSize,
  setDataFrame,
  setPeerBandwidth,
  streamBegin,
  streamEof,
  tagMessage,
  windowAckSize,
} from "../../src/ingest/rtmp/messages.js";

const metadata = encodeAmf0(["onMetaData", { width: 640, height: 360 }]);

/** Chunk stream, type, message stream, timestamp, payload in hex. */
const wire = (m: RtmpMessage) =>
  `${m.chunkStreamId} ${m.typeId} ${m.streamId} ${m.timestamp} ${m.payload.toString("hex")}`;

/**
 * Each message as the session, the player and the publish client sent it before they shared
 * messages.ts: the expected lines were recorded from those hand-built messages on the wire.
 */
const pinned: [string, RtmpMessage, string][] = [
  ["Set Chunk Size", setChunkSize(4096), "2 1 0 0 00001000"],
  ["Window Acknowledgement Size", windowAckSize(2_500_000), "2 5 0 0 002625a0"],
  ["Set Peer Bandwidth, dynamic", setPeerBandwidth(2_500_000, 2), "2 6 0 0 002625a002"],
  ["Acknowledgement", acknowledgement(5_000_000), "2 3 0 0 004c4b40"],
  ["Acknowledgement past 2^32 wraps", acknowledgement(2 ** 32 + 5), "2 3 0 0 00000005"],
  ["StreamBegin", streamBegin(1), "2 4 0 0 000000000001"],
  ["StreamEOF", streamEof(1), "2 4 0 0 000100000001"],
  ["PingResponse", pingResponse(Buffer.from([9, 8, 7, 6])), "2 4 0 0 000709080706"],
  ["PingResponse to a short PingRequest", pingResponse(Buffer.from([9, 8])), "2 4 0 0 00070908"],
  [
    "the server's connect _result",
    result(
      1,
      { fmsVer: "FMS/3,0,1,123", capabilities: 31 },
      {
        level: "status",
        code: "NetConnection.Connect.Success",
        description: "Connection succeeded.",
        objectEncoding: 3,
      },
    ),
    "3 20 0 0 0200075f726573756c74003ff0000000000000030006666d7356657202000d464d532f332c302c312c313233000c6361706162696c697469657300403f0000000000000000090300056c6576656c0200067374617475730004636f646502001d4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373000b6465736372697074696f6e020015436f6e6e656374696f6e207375636365656465642e000e6f626a656374456e636f64696e67004008000000000000000009",
  ],
  [
    "an empty _result",
    result(2, null, undefined),
    "3 20 0 0 0200075f726573756c740040000000000000000506",
  ],
  [
    "createStream's _result",
    result(4, null, 1),
    "3 20 0 0 0200075f726573756c7400401000000000000005003ff0000000000000",
  ],
  [
    "onFCPublish",
    onFcPublish(),
    "3 20 0 0 02000b6f6e46435075626c697368000000000000000000050300056c6576656c0200067374617475730004636f64650200174e657453747265616d2e5075626c6973682e5374617274000b6465736372697074696f6e02000946435075626c697368000009",
  ],
  [
    "onStatus",
    onStatus(1, "status", "NetStream.Publish.Start", "cam is now published."),
    "5 20 1 0 0200086f6e537461747573000000000000000000050300056c6576656c0200067374617475730004636f64650200174e657453747265616d2e5075626c6973682e5374617274000b6465736372697074696f6e02001563616d206973206e6f77207075626c69736865642e000009",
  ],
  [
    "onStatus error",
    onStatus(1, "error", "NetStream.Play.StreamNotFound", "no such stream"),
    "5 20 1 0 0200086f6e537461747573000000000000000000050300056c6576656c0200056572726f720004636f646502001d4e657453747265616d2e506c61792e53747265616d4e6f74466f756e64000b6465736372697074696f6e02000e6e6f20737563682073747265616d000009",
  ],
  [
    "the client's connect",
    command([
      "connect",
      1,
      {
        app: "live",
        type: "nonprivate",
        flashVer: "FMLE/3.0 (compatible; OnAir)",
        tcUrl: "rtmp://127.0.0.1:1935/live",
      },
    ]),
    "3 20 0 0 020007636f6e6e656374003ff00000000000000300036170700200046c69766500047479706502000a6e6f6e707269766174650008666c61736856657202001c464d4c452f332e302028636f6d70617469626c653b204f6e416972290005746355726c02001a72746d703a2f2f3132372e302e302e313a313933352f6c697665000009",
  ],
  [
    "deleteStream",
    command(["deleteStream", 0, null, 7]),
    "3 20 0 0 02000c64656c65746553747265616d0000000000000000000500401c000000000000",
  ],
  [
    "publish",
    publish(7, "cam1?k=v"),
    "4 20 7 0 0200077075626c6973680000000000000000000502000863616d313f6b3d760200046c697665",
  ],
  [
    "|RtmpSampleAccess",
    sampleAccess(1),
    "5 18 1 0 0200117c52746d7053616d706c6541636365737301010101",
  ],
  [
    "@setDataFrame",
    setDataFrame(3, 0, metadata),
    "4 18 3 0 02000d40736574446174614672616d6502000a6f6e4d6574614461746103000577696474680040840000000000000006686569676874004076800000000000000009",
  ],
  [
    "metadata tag",
    tagMessage({ type: 18, timestamp: 0, data: metadata }, 1, 0),
    "5 18 1 0 02000a6f6e4d6574614461746103000577696474680040840000000000000006686569676874004076800000000000000009",
  ],
  [
    "video tag",
    tagMessage({ type: 9, timestamp: 5, data: Buffer.from("17000000000164001f", "hex") }, 1, 0),
    "7 9 1 0 17000000000164001f",
  ],
  [
    "audio tag",
    tagMessage({ type: 8, timestamp: 90, data: Buffer.from("af012122", "hex") }, 3, 20),
    "6 8 3 20 af012122",
  ],
];

describe("RTMP messages", () => {
  for (const [name, message, expected] of pinned) {
    test(`${name}: the same bytes as before`, () => {
      assert.equal(wire(message), expected);
    });
  }
});

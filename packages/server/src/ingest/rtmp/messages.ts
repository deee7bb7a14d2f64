import type { FlvTag } from "../../media/flv-tag.js";
import { type AmfValue, encodeAmf0 } from "./amf0.js";
import { uint32 } from "./chunk-writer.js";
import { MessageType, type RtmpMessage, UserControlEvent } from "./message-types.js";

/**
 * The RTMP messages OnAir sends, as a server and as a publishing client (RTMP spec §5.4, §7.1,
 * §7.2), on the chunk streams nginx-rtmp and ffmpeg conventionally use.
 */
const ChunkStream = {
  control: 2,
  command: 3,
  /** The client's publish command and metadata. */
  data: 4,
  /** The server's stream-level status and data messages. */
  status: 5,
  audio: 6,
  video: 7,
} as const;

function control(typeId: number, payload: Buffer): RtmpMessage {
  return { chunkStreamId: ChunkStream.control, typeId, streamId: 0, timestamp: 0, payload };
}

export function setChunkSize(size: number): RtmpMessage {
  return control(MessageType.setChunkSize, uint32(size));
}

export function windowAckSize(size: number): RtmpMessage {
  return control(MessageType.windowAckSize, uint32(size));
}

/** Limit type 2 is "dynamic" (RTMP spec §5.4.5). */
export function setPeerBandwidth(size: number, limitType: 0 | 1 | 2): RtmpMessage {
  return control(
    MessageType.setPeerBandwidth,
    Buffer.concat([uint32(size), Buffer.from([limitType])]),
  );
}

/** The acknowledgement owed after `received` bytes (RTMP spec §5.4.3). */
export function acknowledgement(received: number): RtmpMessage {
  return control(MessageType.acknowledgement, uint32(received));
}

function userControl(event: number, data: Buffer): RtmpMessage {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(event);
  return control(MessageType.userControl, Buffer.concat([head, data]));
}

export function streamBegin(streamId: number): RtmpMessage {
  return userControl(UserControlEvent.streamBegin, uint32(streamId));
}

export function streamEof(streamId: number): RtmpMessage {
  return userControl(UserControlEvent.streamEof, uint32(streamId));
}

/** Answers a PingRequest with `timestamp`, the request's event data, as it came. */
export function pingResponse(timestamp: Buffer): RtmpMessage {
  return userControl(UserControlEvent.pingResponse, timestamp);
}

/** An AMF0 command; connection-level ones (stream 0) by default. */
export function command(
  values: AmfValue[],
  where: { chunkStreamId: number; streamId: number } = {
    chunkStreamId: ChunkStream.command,
    streamId: 0,
  },
): RtmpMessage {
  return { ...where, typeId: MessageType.amf0Command, timestamp: 0, payload: encodeAmf0(values) };
}

/** `_result` of the command with `transactionId`. */
export function result(transactionId: number, properties: AmfValue, info: AmfValue): RtmpMessage {
  return command(["_result", transactionId, properties, info]);
}

/** The server's answer to FCPublish, on the connection (the FMS flow encoders expect). */
export function onFcPublish(): RtmpMessage {
  return command([
    "onFCPublish",
    0,
    null,
    { level: "status", code: "NetStream.Publish.Start", description: "FCPublish" },
  ]);
}

/** `onStatus` on a message stream, as the server reports a publish or play. */
export function onStatus(
  streamId: number,
  level: "status" | "error",
  code: string,
  description: string,
): RtmpMessage {
  return command(["onStatus", 0, null, { level, code, description }], {
    chunkStreamId: ChunkStream.status,
    streamId,
  });
}

/** The client's `publish`, on the stream createStream gave. */
export function publish(streamId: number, publishName: string): RtmpMessage {
  return command(["publish", 0, null, publishName, "live"], {
    chunkStreamId: ChunkStream.data,
    streamId,
  });
}

/** `|RtmpSampleAccess`: lets Flash-era players read the samples (nginx-rtmp and SRS send it). */
export function sampleAccess(streamId: number): RtmpMessage {
  return {
    chunkStreamId: ChunkStream.status,
    typeId: MessageType.amf0Data,
    streamId,
    timestamp: 0,
    payload: encodeAmf0(["|RtmpSampleAccess", true, true]),
  };
}

const SET_DATA_FRAME = encodeAmf0(["@setDataFrame"]);

/** A publisher's metadata: `@setDataFrame` before the tag's `onMetaData` body. */
export function setDataFrame(streamId: number, timestamp: number, metadata: Buffer): RtmpMessage {
  return {
    chunkStreamId: ChunkStream.data,
    typeId: MessageType.amf0Data,
    streamId,
    timestamp,
    payload: Buffer.concat([SET_DATA_FRAME, metadata]),
  };
}

/** An FLV tag as the message of its type; metadata goes on the status chunk stream. */
export function tagMessage(tag: FlvTag, streamId: number, timestamp: number): RtmpMessage {
  const chunkStreamId =
    tag.type === 8 ? ChunkStream.audio : tag.type === 9 ? ChunkStream.video : ChunkStream.status;
  return { chunkStreamId, typeId: tag.type, streamId, timestamp, payload: tag.data };
}

import { Errcode } from "@onair/callbacks";
import { type AmfValue, decodeAmf0 } from "../rtmp/amf0.js";
import { MessageType, type RtmpMessage, UserControlEvent } from "../rtmp/message-types.js";
import { command, pingResponse, publish, setChunkSize } from "../rtmp/messages.js";
import { RtmpProtocolError } from "../rtmp/protocol-error.js";
import type { RtmpUrl } from "./rtmp-url.js";

/** Chunk size the client announces (Set Chunk Size) and sends media at. */
export const CLIENT_CHUNK_SIZE = 4096;

const TID_CONNECT = 1;
const TID_RELEASE = 2;
const TID_FCPUBLISH = 3;
const TID_CREATE_STREAM = 4;

/** What the flow asks of its connection after a server message. */
export interface FlowStep {
  /** Messages to send, in order. */
  send: RtmpMessage[];
  /** The server accepted the publish (NetStream.Publish.Start): media may flow. */
  publishing?: true;
  /** The server refused or ended the publish: why (its status code and description). */
  failed?: string;
}

type Phase = "connecting" | "creating" | "publishing" | "live" | "failed";

/**
 * The publish side of an RTMP client as a pure state machine (Adobe RTMP specification §7.2:
 * connect, createStream, publish): `start` gives the first messages, `onMessage` consumes each
 * message the server sent and says what to send and what happened. It keeps the server's window
 * acknowledgement size and answers pings. Everything it reads comes from an untrusted target:
 * malformed AMF throws `RtmpProtocolError` (errcode 33), anything else unexpected is ignored or a
 * failure, never an exception of another kind.
 */
export class PublishFlow {
  private phase: Phase = "connecting";
  /** The message stream createStream gave; media and publish go there. */
  streamId = 0;
  /** The server's Window Acknowledgement Size (0: none announced, no acknowledgements owed). */
  windowAckSize = 0;

  constructor(private readonly target: RtmpUrl) {}

  get live(): boolean {
    return this.phase === "live";
  }

  /** Set Chunk Size and connect. */
  start(): RtmpMessage[] {
    return [
      setChunkSize(CLIENT_CHUNK_SIZE),
      command([
        "connect",
        TID_CONNECT,
        {
          app: this.target.app,
          type: "nonprivate",
          flashVer: "FMLE/3.0 (compatible; OnAir)",
          tcUrl: this.target.tcUrl,
        },
      ]),
    ];
  }

  onMessage(message: RtmpMessage): FlowStep {
    switch (message.typeId) {
      case MessageType.windowAckSize:
        if (message.payload.length >= 4) this.windowAckSize = message.payload.readUInt32BE(0);
        return { send: [] };
      case MessageType.userControl:
        return { send: this.onUserControl(message.payload) };
      case MessageType.amf0Command:
        return this.onCommand(decodeAmf0(message.payload));
      case MessageType.amf3Command:
        return this.onCommand(decodeAmf0(message.payload.subarray(1)));
      default:
        // Set Peer Bandwidth, acknowledgements, data, media: nothing a publisher acts on.
        return { send: [] };
    }
  }

  /** The messages that end the publish politely (FCUnpublish, deleteStream). */
  stop(): RtmpMessage[] {
    if (this.streamId === 0) return [];
    return [
      command(["FCUnpublish", 0, null, this.target.streamName]),
      command(["deleteStream", 0, null, this.streamId]),
    ];
  }

  private onUserControl(payload: Buffer): RtmpMessage[] {
    if (payload.length < 2) {
      throw new RtmpProtocolError(Errcode.RtmpProtocolError, "short user control message");
    }
    if (payload.readUInt16BE(0) !== UserControlEvent.pingRequest || payload.length < 6) return [];
    return [pingResponse(payload.subarray(2, 6))];
  }

  private onCommand(values: AmfValue[]): FlowStep {
    const [name, tid] = values;
    if (name === "onStatus") return this.onStatus(values[3]);
    if (name === "_error") {
      return this.fail(
        `${describe(values[3]) || "error"} (transaction ${typeof tid === "number" ? tid : "?"})`,
      );
    }
    if (name !== "_result") return { send: [] };
    if (tid === TID_CONNECT && this.phase === "connecting") {
      const info = values[3];
      const code = isObject(info) ? info.code : undefined;
      if (code !== undefined && code !== "NetConnection.Connect.Success") {
        return this.fail(`connect: ${describe(info)}`);
      }
      this.phase = "creating";
      const name = this.target.streamName;
      return {
        send: [
          command(["releaseStream", TID_RELEASE, null, name]),
          command(["FCPublish", TID_FCPUBLISH, null, name]),
          command(["createStream", TID_CREATE_STREAM, null]),
        ],
      };
    }
    if (tid === TID_CREATE_STREAM && this.phase === "creating") {
      const id = values[3];
      if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > 0xffffffff) {
        return this.fail(`createStream answered a stream id that is not one (${typeof id})`);
      }
      this.streamId = id;
      this.phase = "publishing";
      return {
        send: [publish(id, this.target.streamName)],
      };
    }
    return { send: [] };
  }

  private onStatus(info: AmfValue): FlowStep {
    if (!isObject(info)) return { send: [] };
    const code = typeof info.code === "string" ? info.code : "";
    if (info.level === "error" || code === "NetStream.Publish.BadName") {
      return this.fail(describe(info));
    }
    if (code === "NetStream.Publish.Start" && this.phase === "publishing") {
      this.phase = "live";
      return { send: [], publishing: true };
    }
    if (
      this.phase === "live" &&
      (code === "NetStream.Unpublish.Success" || code.endsWith(".Stop"))
    ) {
      return this.fail(`the target ended the publish: ${describe(info)}`);
    }
    return { send: [] };
  }

  private fail(reason: string): FlowStep {
    this.phase = "failed";
    return { send: [], failed: reason };
  }
}

/** `code: description` of a status object, bounded: a target's text goes into logs and the API. */
function describe(info: AmfValue): string {
  if (!isObject(info)) return "";
  const text = [info.code, info.description]
    .filter((v): v is string => typeof v === "string" && v !== "")
    .join(": ");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function isObject(value: AmfValue): value is { [key: string]: AmfValue } {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

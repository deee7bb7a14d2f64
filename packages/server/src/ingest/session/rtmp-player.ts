import type { Logger } from "pino";
import type { FlvTag } from "../../media/flv-tag.js";
import { LiveViewer, type ViewerPolicy } from "../../media/live-viewer.js";
import type { RtmpMessage } from "../rtmp/message-types.js";
import { onStatus, sampleAccess, streamBegin, streamEof, tagMessage } from "../rtmp/messages.js";
import type { PlayGrant, PlayHost, PlayRequest } from "./play-host.js";

/** What the player needs of its connection. */
export interface PlayerConnection {
  id: string;
  /**
   * Sends one message, chunked at the connection's chunk size; returns the bytes written. With
   * `tag`, the message is that live tag, and its chunks may be shared with other viewers.
   */
  send(message: RtmpMessage, tag?: FlvTag): number;
  /** Bytes written to the socket and not yet sent (not counting those held for the next flush). */
  queuedBytes(): number;
  /** What is written in this turn leaves at its end, not held for the next flush of live media. */
  sendAtOnce(): void;
  /** Ends the connection (after what was written is flushed). */
  close(detail: string): void;
}

/**
 * The play side of an RTMP connection (Adobe RTMP specification §7.2.2.1, `play`): asks the
 * playback service, answers `NetStream.Play.Reset`/`Start` (or `StreamNotFound`/`Failed` and a
 * close), sends StreamBegin and `|RtmpSampleAccess`, then the stream's metadata, sequence
 * headers, GOP and live tags through a `LiveViewer` (the slow-viewer policy). When the publish
 * ends it sends StreamEOF, `NetStream.Play.Stop` and `NetStream.Play.UnpublishNotify`, and closes.
 */
export class RtmpPlayer {
  private grant: PlayGrant | null = null;
  private viewer: LiveViewer | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly connection: PlayerConnection,
    private readonly options: { host: PlayHost; policy: ViewerPolicy; logger: Logger },
  ) {}

  /** Handles `play`: `request` is where the client asked to play, `streamId` its message stream. */
  start(request: PlayRequest, streamId: number): void {
    this.options.host.requestPlay(request).then(
      (decision) => {
        if (this.stopped) {
          if (decision.accepted)
            decision.grant.left("closed", "connection closed while authorizing");
          return;
        }
        if (!decision.accepted) {
          this.connection.send(onStatus(streamId, "error", decision.code, decision.description));
          this.connection.close(decision.description);
          return;
        }
        this.play(decision.grant, request, streamId);
      },
      (err: unknown) => {
        this.options.logger.error(
          { err, connection: this.connection.id },
          "play authorization failed",
        );
        this.connection.send(
          onStatus(streamId, "error", "NetStream.Play.Failed", "internal error"),
        );
        this.connection.close("play authorization failed");
      },
    );
  }

  /** The connection is closing: the viewer leaves (counted once). */
  stop(detail: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.viewer?.close();
    this.grant?.left("closed", detail);
  }

  private play(grant: PlayGrant, request: PlayRequest, streamId: number): void {
    this.grant = grant;
    const name = request.streamName;
    // The statuses and the cached GOP go out together now: the first keyframe is what a player
    // waits for.
    this.connection.sendAtOnce();
    this.sendAll([
      streamBegin(streamId),
      onStatus(streamId, "status", "NetStream.Play.Reset", `Playing and resetting ${name}.`),
      onStatus(streamId, "status", "NetStream.Play.Start", `Started playing ${name}.`),
      sampleAccess(streamId),
    ]);
    this.viewer = new LiveViewer(
      {
        queuedBytes: () => this.connection.queuedBytes(),
        write: (tag, timestamp) => this.sendTag(streamId, tag, timestamp),
        evict: (detail) => this.leave("evicted", detail),
        end: () => this.endOfStream(streamId, name),
      },
      this.options.policy,
    );
    this.unsubscribe = grant.subscribe(this.viewer);
  }

  private endOfStream(streamId: number, name: string): void {
    this.sendAll([
      streamEof(streamId),
      onStatus(streamId, "status", "NetStream.Play.Stop", `Stopped playing ${name}.`),
      onStatus(streamId, "status", "NetStream.Play.UnpublishNotify", `${name} is now unpublished.`),
    ]);
    this.leave("ended", "the publish ended");
  }

  private leave(exit: "ended" | "evicted", detail: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.grant?.left(exit, detail);
    this.connection.close(detail);
  }

  private sendTag(streamId: number, tag: FlvTag, timestamp: number): number {
    const bytes = this.connection.send(tagMessage(tag, streamId, timestamp), tag);
    this.grant?.sent(bytes);
    return bytes;
  }

  private sendAll(messages: RtmpMessage[]): void {
    for (const message of messages) this.connection.send(message);
  }
}

/**
 * Where an RTMP client asked to play, from the connect command's `app` and `tcUrl` and the play
 * name (`name?query`; the query may instead sit on the tcUrl or the app, as for push).
 */
export function rtmpPlayRequest(input: {
  app: string;
  tcUrl: string;
  playName: string;
  clientIp: string;
}): PlayRequest {
  const [streamName = "", nameQuery] = splitOnce(input.playName, "?");
  const [appName = "", appQuery] = splitOnce(input.app, "?");
  let host = "";
  let tcUrlQuery: string | undefined;
  try {
    const url = new URL(input.tcUrl);
    host = url.hostname.replace(/^\[|\]$/g, "");
    tcUrlQuery = url.search ? url.search.slice(1) : undefined;
  } catch {
    // A missing or odd tcUrl leaves the domain to `domain=`.
  }
  return {
    protocol: "rtmp",
    host,
    appName,
    streamName,
    query: nameQuery ?? tcUrlQuery ?? appQuery ?? "",
    clientIp: input.clientIp,
  };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

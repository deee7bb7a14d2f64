import type { StreamKey } from "../domain/stream-key.js";
import type { TagSink } from "./media-fanout.js";

/**
 * What a consumer of a live stream (recording, screenshots, players, relays) may know and do:
 * the stream's identity and its tags. It is all they get, so none of them depends on how the
 * stream service keeps a publish.
 */
export interface PublishedStream {
  readonly key: StreamKey;
  /** The publish's `sequence`, shared by its push and interruption callbacks. */
  readonly sequence: string;
  /** The push URL's query string without `?` (Tencent's `stream_param`). */
  readonly streamParam: string;
  readonly startedAtMs: number;
  /** The publisher's address and this node's, as the client reached it (Tencent's `node`). */
  readonly clientIp: string;
  readonly serverIp: string;
  /** The RTMP chunk size the publisher last set (Set Chunk Size); 0 when not known. */
  readonly peerChunkSize: number;
  /** The picture size as known so far (0 until the metadata or the sequence header tell). */
  readonly width: number;
  readonly height: number;
  /** The video codec as Tencent names it in `callback_ext` (`h264`, `h265`…); "" until known. */
  readonly videoCodec: string;
  /**
   * Settles once the publish's push callback (event 1) is committed, or once it will not be. A
   * consumer commits its own callbacks of this publish only after it, so a receiver always gets
   * the push first: the push waits for the picture size (up to `ingest.pushEventWaitMs`), a
   * recording starts at once.
   */
  readonly pushed: Promise<void>;
  /** Whether the publish has ended; a sink subscribed after that gets `onEnd` at once. */
  readonly closed: boolean;
  /**
   * Adds a sink. It first gets the metadata and sequence headers seen so far, then every tag, and
   * `onEnd` once when the publish ends. Returns the unsubscribe function.
   */
  subscribe(sink: TagSink): () => void;
}

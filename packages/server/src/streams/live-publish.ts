import type { StreamKey } from "../domain/stream-key.js";
import type { AmfValue } from "../ingest/rtmp/amf0.js";
import type { ActivePublish, PublishRequest } from "../ingest/session/publish-host.js";
import type { FlvTag } from "../media/flv-tag.js";
import { MediaFanout, type TagSink } from "../media/media-fanout.js";
import type { PublishedStream } from "../media/published-stream.js";
import {
  dimensionsFromSequenceHeader,
  inspectVideoTag,
  TENCENT_CODEC_NAMES,
} from "../media/video-tag.js";

/** How a publish ended: the Tencent interruption errcode (docs/ingest.md, "Why a publish ended") and why. */
export interface PublishEnd {
  errcode: number;
  /** Why the service ended it (`SubErrcode` of errcode 21: Drop, Forbid, replaced). */
  subErrcode?: number | undefined;
  detail: string;
}

/**
 * One accepted publish: its identity (sequence, start time, addresses), the picture size as it
 * becomes known — from onMetaData, or else from the H.264 sequence header — and its tag stream.
 * It reports what happens to it through two promises the stream service awaits, never by calling
 * back up: `announced` resolves once the push callback can go out (the size is known, the
 * metadata says there is no video, `announceAfterMs` passed, or at the latest when it ends, so a
 * push always precedes its interruption), and `ended` resolves once with how it ended.
 */
export class LivePublish implements ActivePublish, PublishedStream {
  private readonly fanout = new MediaFanout();
  width = 0;
  height = 0;
  videoCodec = "";
  readonly announced: Promise<void>;
  readonly pushed: Promise<void>;
  /** The stream service calls it once the push is committed (or failed to be). */
  readonly markPushed: () => void;
  readonly ended: Promise<PublishEnd>;
  private announce!: () => void;
  private finish!: (end: PublishEnd) => void;
  private over = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly key: StreamKey,
    private readonly request: PublishRequest,
    readonly sequence: string,
    readonly startedAtMs: number,
    announceAfterMs: number,
  ) {
    this.announced = new Promise((resolve) => {
      this.announce = () => {
        clearTimeout(this.timer);
        resolve();
      };
    });
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    let markPushed!: () => void;
    this.pushed = new Promise((resolve) => {
      markPushed = resolve;
    });
    this.markPushed = markPushed;
    this.timer = setTimeout(() => this.announce(), announceAfterMs);
    this.timer.unref();
  }

  /** The push URL's query string (what a PublishedStream tells its consumers). */
  get streamParam(): string {
    return this.request.streamParam;
  }

  get serverIp(): string {
    return this.request.serverIp;
  }

  get clientIp(): string {
    return this.request.clientIp;
  }

  get peerChunkSize(): number {
    return this.request.connection.peerChunkSize?.() ?? 0;
  }

  get closed(): boolean {
    return this.fanout.closed;
  }

  subscribe(sink: TagSink): () => void {
    return this.fanout.subscribe(sink);
  }

  onMetadata(metadata: Record<string, AmfValue>, tag: FlvTag): void {
    const width = metadata.width;
    const height = metadata.height;
    if (typeof width === "number" && typeof height === "number" && width > 0 && height > 0) {
      this.width = Math.round(width);
      this.height = Math.round(height);
      this.announce();
    } else if (metadata.videocodecid === undefined && metadata.width === undefined) {
      this.announce(); // audio only: no size will come
    }
    this.fanout.publish(tag, { sequenceHeader: false });
  }

  onMedia(tag: FlvTag): void {
    let sequenceHeader = false;
    if (tag.type === 9) {
      const info = inspectVideoTag(tag.data);
      sequenceHeader = info.sequenceHeader;
      if (sequenceHeader) this.videoCodec = TENCENT_CODEC_NAMES[info.codec];
      if (sequenceHeader && this.width === 0) {
        const size = dimensionsFromSequenceHeader(tag.data);
        if (size) {
          this.width = size.width;
          this.height = size.height;
        }
        this.announce();
      }
    } else if (tag.type === 8) {
      // AAC: byte 0 high nibble 10, byte 1 = 0 is the AudioSpecificConfig.
      sequenceHeader = (tag.data[0] as number) >> 4 === 10 && tag.data[1] === 0;
    }
    this.fanout.publish(tag, { sequenceHeader });
  }

  /** The first end wins: the session's (client stopped, connection lost…) or a `drop`. */
  end(errcode: number, detail: string, subErrcode?: number): void {
    if (this.over) return;
    this.over = true;
    this.announce();
    this.fanout.close();
    this.finish(subErrcode === undefined ? { errcode, detail } : { errcode, subErrcode, detail });
  }

  /**
   * Ends the publish from the server side (API Drop/Forbid, a replacing publisher, shutdown):
   * it ends here, at once, and the connection is then closed; the session's own end that follows
   * finds it already ended.
   */
  drop(errcode: number, detail: string, subErrcode?: number): void {
    this.end(errcode, detail, subErrcode);
    this.request.connection.drop(errcode, detail);
  }
}

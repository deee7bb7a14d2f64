import type { StreamKey } from "../domain/stream-key.js";
import type { AmfValue } from "../ingest/rtmp/amf0.js";
import type { ActivePublish, PublishRequest } from "../ingest/session/publish-host.js";
import type { FlvTag } from "../media/flv-tag.js";
import { MediaFanout, type TagSink } from "../media/media-fanout.js";
import { dimensionsFromSequenceHeader, inspectVideoTag } from "../media/video-tag.js";

/** What the stream service does when a publish announces itself and when it ends. */
export interface PublishLifecycle {
  /** The push callback can go out: the picture size is known or will not be. */
  announce(publish: LivePublish): void;
  ended(publish: LivePublish, errcode: number, detail: string): void;
}

/**
 * One accepted publish: its identity (sequence, start time, addresses), the picture size as it
 * becomes known — from onMetaData, or else from the H.264 sequence header — and its tag stream.
 * It announces itself once: when the size is known, when the metadata says there is no video,
 * after `announceAfterMs`, or at the latest when it ends, so a push always precedes its
 * interruption.
 */
export class LivePublish implements ActivePublish {
  readonly fanout = new MediaFanout();
  width = 0;
  height = 0;
  announced = false;
  private ended = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly key: StreamKey,
    readonly request: PublishRequest,
    readonly sequence: string,
    readonly startedAtMs: number,
    private readonly lifecycle: PublishLifecycle,
    announceAfterMs: number,
  ) {
    this.timer = setTimeout(() => this.announce(), announceAfterMs);
    this.timer.unref();
  }

  /** The push URL's query string (what a PublishedStream tells its consumers). */
  get streamParam(): string {
    return this.request.streamParam;
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

  end(errcode: number, detail: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.announce();
    this.fanout.close();
    this.lifecycle.ended(this, errcode, detail);
  }

  /** Drops the connection (API Drop/Forbid, a replacing publisher, shutdown). */
  drop(errcode: number, detail: string): void {
    this.request.connection.drop(errcode, detail);
  }

  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    clearTimeout(this.timer);
    this.lifecycle.announce(this);
  }
}

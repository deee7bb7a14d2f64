import type { FlvTag } from "./flv-tag.js";
import type { TagSink } from "./media-fanout.js";
import type { PublishedStream } from "./published-stream.js";
import { inspectVideoTag } from "./video-tag.js";

/**
 * What a player needs to start at once: the metadata, the audio and video sequence headers and
 * every tag (audio and video) since the latest keyframe. One per live stream and node, however
 * many viewers: it subscribes to the stream once and fans the tags out to its viewers. Past
 * `maxGopBytes` the cached GOP is dropped (a viewer arriving then waits for the next keyframe
 * instead of getting a GOP with a hole in it).
 */
export class PlaySource implements TagSink {
  private metadata: FlvTag | null = null;
  private videoHeader: FlvTag | null = null;
  private audioHeader: FlvTag | null = null;
  private gop: FlvTag[] = [];
  private gopBytes = 0;
  /** The cached GOP outgrew the bound: nothing is cached until the next keyframe. */
  private gopDropped = false;
  private readonly viewers = new Set<TagSink>();
  private readonly unsubscribe: () => void;
  ended = false;

  constructor(
    readonly stream: PublishedStream,
    private readonly options: { maxGopBytes: number; onEnd?: () => void },
  ) {
    this.unsubscribe = stream.subscribe(this);
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Adds a viewer: it gets the start tags now, then every live tag, then `onEnd`. */
  add(viewer: TagSink): () => void {
    if (this.ended) {
      viewer.onEnd();
      return () => undefined;
    }
    for (const tag of this.startTags()) viewer.onTag(tag);
    this.viewers.add(viewer);
    return () => this.viewers.delete(viewer);
  }

  /** The tags a viewer joining now starts with, in order. */
  startTags(): FlvTag[] {
    const tags: FlvTag[] = [];
    for (const tag of [this.metadata, this.audioHeader, this.videoHeader]) if (tag) tags.push(tag);
    tags.push(...this.gop);
    return tags;
  }

  onTag(tag: FlvTag): void {
    this.remember(tag);
    for (const viewer of this.viewers) {
      try {
        viewer.onTag(tag);
      } catch {
        // A viewer that throws is gone; the others and the publisher go on.
        this.viewers.delete(viewer);
      }
    }
  }

  onEnd(): void {
    this.ended = true;
    this.gop = [];
    const viewers = [...this.viewers];
    this.viewers.clear();
    for (const viewer of viewers) {
      try {
        viewer.onEnd();
      } catch {
        // Ending one viewer must not keep the others open.
      }
    }
    this.options.onEnd?.();
  }

  /** Stops following the stream (its last viewer left, or the node stops). */
  close(): void {
    this.unsubscribe();
    if (!this.ended) this.onEnd();
  }

  private remember(tag: FlvTag): void {
    if (tag.type === 18) {
      this.metadata = tag;
      return;
    }
    if (tag.type === 8) {
      if (isAacSequenceHeader(tag.data)) this.audioHeader = tag;
      else this.cache(tag);
      return;
    }
    const info = inspectVideoTag(tag.data);
    if (info.sequenceHeader) {
      // A new decoder configuration: the cached GOP belongs to the old one.
      this.videoHeader = tag;
      this.resetGop();
    } else if (info.keyframe) {
      this.resetGop();
      this.gopDropped = false;
      this.cache(tag);
    } else {
      this.cache(tag);
    }
  }

  private cache(tag: FlvTag): void {
    if (this.gopDropped) return;
    // Audio-only streams have no keyframes: keep only the latest tags up to the bound.
    if (!this.videoHeader && tag.type === 8) {
      this.gop.push(tag);
      this.gopBytes += tag.data.length;
      while (this.gopBytes > this.options.maxGopBytes && this.gop.length > 1) {
        this.gopBytes -= (this.gop.shift() as FlvTag).data.length;
      }
      return;
    }
    if (this.gop.length === 0 && tag.type === 9 && !inspectVideoTag(tag.data).keyframe) return;
    if (this.gop.length === 0 && tag.type === 8) return;
    if (this.gopBytes + tag.data.length > this.options.maxGopBytes) {
      this.resetGop();
      this.gopDropped = true;
      return;
    }
    this.gop.push(tag);
    this.gopBytes += tag.data.length;
  }

  private resetGop(): void {
    this.gop = [];
    this.gopBytes = 0;
  }
}

/** AAC (sound format 10) with AACPacketType 0: the AudioSpecificConfig. */
export function isAacSequenceHeader(data: Buffer): boolean {
  return (data[0] as number) >> 4 === 10 && data[1] === 0;
}

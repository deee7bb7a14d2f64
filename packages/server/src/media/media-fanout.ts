import type { FlvTag } from "./flv-tag.js";

/** A consumer of one live stream's tags. It must not block: queue and drop on its own side. */
export interface TagSink {
  onTag(tag: FlvTag): void;
  /** The publish ended: flush and finish. */
  onEnd(): void;
}

/**
 * The tag stream of one live publish, fanned out to its subscribers (recorders, snapshotters,
 * players). Delivery is synchronous and never waits for a subscriber, so a slow consumer can
 * never stall the publisher; a sink that throws is removed and counted, not propagated. Late
 * subscribers first get the metadata and the sequence headers, so they can decode from the
 * next keyframe.
 */
export class MediaFanout {
  private readonly sinks = new Set<TagSink>();
  private metadata: FlvTag | null = null;
  private videoHeader: FlvTag | null = null;
  private audioHeader: FlvTag | null = null;
  /** Sinks removed because they threw. */
  failedSinks = 0;
  /** The publish ended: no more tags. */
  closed = false;

  subscribe(sink: TagSink): () => void {
    if (this.closed) {
      // The publish already ended (a subscriber that attached late): finish it at once.
      sink.onEnd();
      return () => undefined;
    }
    for (const tag of [this.metadata, this.audioHeader, this.videoHeader]) {
      if (tag) sink.onTag(tag);
    }
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  get subscriberCount(): number {
    return this.sinks.size;
  }

  publish(received: FlvTag, kind: { sequenceHeader: boolean }): void {
    // Kept for the whole publish, here and by sinks: a copy, so they do not hold on to the larger
    // buffer (a slab of the chunk parser's) their bytes may be a view of.
    const tag = received.type === 18 || kind.sequenceHeader ? ownCopy(received) : received;
    if (tag.type === 18) this.metadata = tag;
    else if (kind.sequenceHeader) {
      if (tag.type === 9) this.videoHeader = tag;
      else this.audioHeader = tag;
    }
    for (const sink of this.sinks) {
      try {
        sink.onTag(tag);
      } catch {
        this.sinks.delete(sink);
        this.failedSinks++;
      }
    }
  }

  /** Ends the stream: every subscriber gets `onEnd` once. */
  close(): void {
    this.closed = true;
    const sinks = [...this.sinks];
    this.sinks.clear();
    for (const sink of sinks) {
      try {
        sink.onEnd();
      } catch {
        this.failedSinks++;
      }
    }
  }
}

function ownCopy(tag: FlvTag): FlvTag {
  return { ...tag, data: Buffer.from(tag.data) };
}

import type { ChunkParserLimits } from "./rtmp/chunk-parser.js";

/**
 * Before a connection publishes it has only commands to send (connect, createStream, publish…,
 * a few hundred bytes each), so it gets a fraction of a publisher's room: an anonymous peer that
 * never publishes cannot make the server hold more than this.
 */
const PRE_PUBLISH_MAX_MESSAGE_BYTES = 64 * 1024;
const PRE_PUBLISH_MAX_PENDING_BYTES = 128 * 1024;

/** The chunk parser's limits for one RTMP connection, before and after it publishes. */
export function rtmpConnectionLimits(ingest: {
  maxMessageBytes: number;
  maxPendingBytes: number;
  maxChunkStreams: number;
}): { prePublish: ChunkParserLimits; publishing: ChunkParserLimits } {
  return {
    prePublish: {
      maxMessageBytes: Math.min(PRE_PUBLISH_MAX_MESSAGE_BYTES, ingest.maxMessageBytes),
      maxPendingBytes: Math.min(PRE_PUBLISH_MAX_PENDING_BYTES, ingest.maxPendingBytes),
      maxChunkStreams: ingest.maxChunkStreams,
    },
    publishing: {
      maxMessageBytes: ingest.maxMessageBytes,
      maxPendingBytes: Math.max(ingest.maxPendingBytes, 2 * ingest.maxMessageBytes),
      maxChunkStreams: ingest.maxChunkStreams,
    },
  };
}

/** RTMP message type ids (RTMP spec §5.4, §7.1). */
export const MessageType = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  amf3Data: 15,
  amf3Command: 17,
  amf0Data: 18,
  amf0Command: 20,
  aggregate: 22,
} as const;

/** User control event types (RTMP spec §7.1.7). */
export const UserControlEvent = {
  streamBegin: 0,
  streamEof: 1,
  pingRequest: 6,
  pingResponse: 7,
} as const;

/** One reassembled RTMP message. */
export interface RtmpMessage {
  chunkStreamId: number;
  typeId: number;
  /** Message stream id (0 for connection-level messages). */
  streamId: number;
  /** Milliseconds, 32-bit wrapping. */
  timestamp: number;
  payload: Buffer;
}

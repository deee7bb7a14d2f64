/** One FLV tag of a live stream: the unit recording, screenshots and playback consume. */
export interface FlvTag {
  /** 8 audio, 9 video, 18 script data (onMetaData, without `@setDataFrame`). */
  type: 8 | 9 | 18;
  /** Milliseconds since the start of the publish, 32-bit wrapping. */
  timestamp: number;
  data: Buffer;
}

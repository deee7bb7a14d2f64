/**
 * `exception.type` of event 341 (recording exception), Tencent 267/68622: negative codes, one per
 * kind of trouble the recorder met.
 */
export const RecordExceptionType = {
  AudioTimestampJump: -8,
  VideoTimestampJump: -9,
  AudioVideoTimestampGap: -10,
  InvalidVideoTimestamp: -11,
  PullFailed: -16,
  NoAudioPushed: -17,
  NoVideoPushed: -18,
  AudioTimestampStuck: -22,
  VideoTimestampStuck: -23,
  InvalidAudioTimestamp: -24,
  ResolutionChanged: -100,
  /** Writing frames into the container (the file) failed. */
  WriteFailed: -104,
  VideoCodecChanged: -120,
  VideoFramesDropped: -130,
  AudioFramesDropped: -131,
  AbnormalGop: -132,
  AudioTimestampUneven: -200,
  VideoTimestampUneven: -201,
} as const;

/** A documented `exception.type`. */
export type RecordExceptionCode = (typeof RecordExceptionType)[keyof typeof RecordExceptionType];

/** `exception_level` values; a template's `RecordExceptionLevels` lists the ones it wants. */
export type RecordExceptionLevel = "info" | "warning" | "error";

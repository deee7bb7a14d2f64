import { inspectVideoTag } from "../video-tag.js";

/** A coded video frame of an FLV tag: length-prefixed NAL units, as MP4 samples hold them. */
export interface VideoFrame {
  data: Buffer;
  keyframe: boolean;
  /** CompositionTime: presentation minus decode time, in milliseconds (may be negative). */
  compositionMs: number;
}

/** Enhanced RTMP packet types (veovera enhanced-rtmp v1): CodedFrames has a CTS, CodedFramesX not. */
const CODED_FRAMES = 1;
const CODED_FRAMES_X = 3;

/**
 * The frame of an AVC or HEVC video tag (legacy codec 7 or 12: flags, AVCPacketType 1, SI24
 * composition time, data; Enhanced `avc1`/`hvc1` CodedFrames or CodedFramesX). Null for
 * sequence headers, end-of-sequence, other codecs and truncated tags.
 */
export function videoFrame(body: Buffer): VideoFrame | null {
  const info = inspectVideoTag(body);
  if (info.sequenceHeader || (info.codec !== "avc" && info.codec !== "hevc")) return null;
  const first = body[0] as number;
  if (first & 0x80) {
    const packetType = first & 0x0f;
    if (packetType === CODED_FRAMES && body.length > 8) {
      return { data: body.subarray(8), keyframe: info.keyframe, compositionMs: si24(body, 5) };
    }
    if (packetType === CODED_FRAMES_X && body.length > 5) {
      return { data: body.subarray(5), keyframe: info.keyframe, compositionMs: 0 };
    }
    return null;
  }
  if (body[1] !== 1 || body.length <= 5) return null;
  return { data: body.subarray(5), keyframe: info.keyframe, compositionMs: si24(body, 2) };
}

/** The raw AAC frame of an FLV audio tag (sound format 10, AACPacketType 1); null otherwise. */
export function aacFrame(body: Buffer): Buffer | null {
  if (body.length <= 2 || (body[0] as number) >> 4 !== 10 || body[1] !== 1) return null;
  return body.subarray(2);
}

function si24(body: Buffer, at: number): number {
  const value = body.readUIntBE(at, 3);
  return value & 0x800000 ? value - 0x1000000 : value;
}

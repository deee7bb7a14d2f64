import { avcDimensionsFromSps } from "./avc-sps.js";
import { hevcDimensionsFromSps, spsFromHvcc } from "./hevc-sps.js";

/**
 * What a publish server needs from an FLV video tag body (the payload of an RTMP video message):
 * whether it is a keyframe, whether it is a sequence header, and the picture size a sequence
 * header declares. Legacy tags (byte 0 = frameType << 4 | codecId) and Enhanced RTMP tags
 * (bit 7 set, packet type in the low nibble, then a FourCC) are both understood; anything else is
 * tolerated and reported as an unknown codec, never an error.
 */
export interface VideoTagInfo {
  codec: "avc" | "hevc" | "av1" | "vp9" | "unknown";
  keyframe: boolean;
  sequenceHeader: boolean;
}

/** Tencent's names of video codecs, as in `callback_ext.video_codec` (267/38082: `h264`). */
export const TENCENT_CODEC_NAMES: Readonly<Record<VideoTagInfo["codec"], string>> = {
  avc: "h264",
  hevc: "h265",
  av1: "av1",
  vp9: "vp9",
  unknown: "",
};

const LEGACY_CODECS: Record<number, VideoTagInfo["codec"]> = { 7: "avc", 12: "hevc" };
const FOURCC_CODECS: Record<string, VideoTagInfo["codec"]> = {
  avc1: "avc",
  hvc1: "hevc",
  av01: "av1",
  vp09: "vp9",
};

export function inspectVideoTag(body: Buffer): VideoTagInfo {
  const first = body[0];
  if (first === undefined) return { codec: "unknown", keyframe: false, sequenceHeader: false };
  const frameType = (first >> 4) & 0x07;
  if (first & 0x80) {
    const packetType = first & 0x0f;
    const fourcc = body.length >= 5 ? body.toString("latin1", 1, 5) : "";
    return {
      codec: FOURCC_CODECS[fourcc] ?? "unknown",
      keyframe: frameType === 1,
      sequenceHeader: packetType === 0,
    };
  }
  return {
    codec: LEGACY_CODECS[first & 0x0f] ?? "unknown",
    keyframe: frameType === 1,
    sequenceHeader: body[1] === 0,
  };
}

/**
 * The picture size from a video sequence header tag, read from the first SPS of its decoder
 * configuration record: AVC (legacy codec 7 or Enhanced `avc1`) or HEVC (Enhanced `hvc1`, or the
 * legacy codec id 12 some Chinese CDNs and encoders use). Null when absent or unparseable.
 */
export function dimensionsFromSequenceHeader(
  body: Buffer,
): { width: number; height: number } | null {
  const info = inspectVideoTag(body);
  if (!info.sequenceHeader) return null;
  // Legacy: flags, packet type, 3-byte composition time. Enhanced SequenceStart: flags, FourCC.
  const record = body.subarray(5);
  if (info.codec === "hevc") {
    const sps = spsFromHvcc(record);
    return sps ? hevcDimensionsFromSps(sps) : null;
  }
  if (info.codec !== "avc" || record.length < 8 || record[0] !== 1) return null;
  const spsCount = (record[5] as number) & 0x1f;
  if (spsCount === 0) return null;
  const spsLength = record.readUInt16BE(6);
  if (record.length < 8 + spsLength) return null;
  return avcDimensionsFromSps(record.subarray(8, 8 + spsLength));
}

import { inspectVideoTag } from "../media/video-tag.js";

/**
 * What push monitoring reads from one FLV audio or video tag body (FLV spec v10.1 E.4.2/E.4.3,
 * Enhanced RTMP v1/v2): the codec by the names Tencent's push-info actions use (`"H264"`,
 * `"AAC"`, Tencent 267/20386), whether the tag is a sequence header or a coded frame, and the
 * audio sample rate.
 */
export interface TagCodec {
  /** `H264`, `H265`, `AV1`, `VP9`, `AAC`, `MP3`…; `""` for an empty tag. */
  name: string;
  /** The codec needs a sequence header before its first frame (AVC, HEVC, AV1, VP9, AAC). */
  needsHeader: boolean;
  sequenceHeader: boolean;
  /** A coded frame (not a header, end-of-sequence or metadata packet). */
  frame: boolean;
  keyframe: boolean;
}

const VIDEO_NAMES = { avc: "H264", hevc: "H265", av1: "AV1", vp9: "VP9" } as const;
const LEGACY_VIDEO: Record<number, string> = {
  1: "JPEG",
  2: "H263",
  3: "SCREEN",
  4: "VP6",
  5: "VP6A",
  6: "SCREEN2",
  7: "H264",
  12: "H265",
};

export function videoCodec(body: Buffer): TagCodec {
  const first = body[0];
  if (first === undefined) {
    return { name: "", needsHeader: false, sequenceHeader: false, frame: false, keyframe: false };
  }
  const info = inspectVideoTag(body);
  if (first & 0x80) {
    // Enhanced RTMP: packet type 1 (CodedFrames) and 3 (CodedFramesX) carry a picture.
    const packetType = first & 0x0f;
    const name = info.codec === "unknown" ? body.toString("latin1", 1, 5) : VIDEO_NAMES[info.codec];
    return {
      name,
      needsHeader: true,
      sequenceHeader: packetType === 0,
      frame: packetType === 1 || packetType === 3,
      keyframe: info.keyframe,
    };
  }
  const codecId = first & 0x0f;
  const avcLike = codecId === 7 || codecId === 12;
  // AVC/HEVC packet type: 0 sequence header, 1 NALUs, 2 end of sequence.
  const packetType = body[1];
  return {
    name: LEGACY_VIDEO[codecId] ?? `codec-${codecId}`,
    needsHeader: avcLike,
    sequenceHeader: avcLike && packetType === 0,
    frame: avcLike ? packetType === 1 : true,
    keyframe: info.keyframe,
  };
}

const LEGACY_AUDIO: Record<number, string> = {
  0: "PCM",
  1: "ADPCM",
  2: "MP3",
  3: "PCM",
  4: "Nellymoser",
  5: "Nellymoser",
  6: "Nellymoser",
  7: "G711A",
  8: "G711U",
  10: "AAC",
  11: "Speex",
  14: "MP3",
  15: "DeviceSpecific",
};
const FOURCC_AUDIO: Record<string, string> = {
  Opus: "Opus",
  fLaC: "FLAC",
  "ac-3": "AC3",
  "ec-3": "EAC3",
  ".mp3": "MP3",
  mp4a: "AAC",
};

export function audioCodec(body: Buffer): TagCodec {
  const first = body[0];
  if (first === undefined) {
    return { name: "", needsHeader: false, sequenceHeader: false, frame: false, keyframe: false };
  }
  const format = first >> 4;
  if (format === 9) {
    // Enhanced RTMP v2 audio: packet type in the low nibble (0 header, 1 coded frames), FourCC.
    const packetType = first & 0x0f;
    const fourcc = body.toString("latin1", 1, 5);
    return {
      name: FOURCC_AUDIO[fourcc] ?? fourcc,
      needsHeader: fourcc === "mp4a" || fourcc === "Opus" || fourcc === "fLaC",
      sequenceHeader: packetType === 0,
      frame: packetType === 1,
      keyframe: false,
    };
  }
  const aac = format === 10;
  return {
    name: LEGACY_AUDIO[format] ?? `codec-${format}`,
    needsHeader: aac,
    sequenceHeader: aac && body[1] === 0,
    frame: aac ? body[1] === 1 : true,
    keyframe: false,
  };
}

const AAC_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];
const FLV_RATES = [5512, 11025, 22050, 44100];

/**
 * The sample rate an audio tag declares: an AAC sequence header's AudioSpecificConfig
 * (ISO/IEC 14496-3 1.6.2.1: 5 bits object type, 4 bits frequency index), else the legacy tag's
 * two rate bits. Null for tags that say nothing reliable (AAC frames, enhanced audio).
 */
export function audioSampleRate(body: Buffer): number | null {
  const first = body[0];
  if (first === undefined) return null;
  const format = first >> 4;
  if (format === 9) return null;
  if (format !== 10) return FLV_RATES[(first >> 2) & 0x03] ?? null;
  if (body[1] !== 0 || body.length < 4) return null;
  const config = body.readUInt16BE(2);
  const index = (config >> 7) & 0x0f;
  if (index === 15) {
    // An explicit 24-bit rate follows the index.
    if (body.length < 7) return null;
    return ((body.readUInt32BE(2) >>> 0) & 0x7f_ffff) * 2 + ((body[6] as number) >> 7);
  }
  return AAC_RATES[index] ?? null;
}

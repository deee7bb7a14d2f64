import { isAacSequenceHeader } from "../play-source.js";
import { dimensionsFromSequenceHeader, inspectVideoTag } from "../video-tag.js";

/** A video track as its FLV sequence header declares it: the decoder record goes in avcC/hvcC. */
export interface VideoTrackConfig {
  kind: "video";
  codec: "avc" | "hevc";
  /** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3) or HEVCDecoderConfigurationRecord (§8.3.3). */
  record: Buffer;
  width: number;
  height: number;
  /** RFC 6381 codec string for CODECS= (`avc1.64001f`, `hvc1.1.6.L93.B0`). */
  codecString: string;
}

/** An AAC track: its AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) goes in esds. */
export interface AudioTrackConfig {
  kind: "audio";
  config: Buffer;
  sampleRate: number;
  channels: number;
  codecString: string;
}

const AAC_SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/**
 * The video track of an FLV video sequence header: legacy AVC (codec id 7), legacy HEVC (codec
 * id 12, as some encoders send it) or Enhanced RTMP `avc1`/`hvc1` SequenceStart. Null for any
 * other codec or a record too short to read.
 */
export function videoTrackConfig(body: Buffer): VideoTrackConfig | null {
  const info = inspectVideoTag(body);
  if (!info.sequenceHeader || (info.codec !== "avc" && info.codec !== "hevc")) return null;
  const record = body.subarray(5);
  const size = dimensionsFromSequenceHeader(body);
  if (!size) return null;
  if (info.codec === "avc") {
    if (record.length < 7) return null;
    const hex = (i: number) => (record[i] as number).toString(16).padStart(2, "0");
    return {
      kind: "video",
      codec: "avc",
      record,
      ...size,
      codecString: `avc1.${hex(1)}${hex(2)}${hex(3)}`,
    };
  }
  if (record.length < 23) return null;
  return { kind: "video", codec: "hevc", record, ...size, codecString: hevcCodecString(record) };
}

/** The audio track of an FLV AAC sequence header; null for other audio formats or a bad config. */
export function audioTrackConfig(body: Buffer): AudioTrackConfig | null {
  if (!isAacSequenceHeader(body) || body.length < 4) return null;
  const config = body.subarray(2);
  const objectType = (config[0] as number) >> 3;
  const rateIndex = (((config[0] as number) & 0x07) << 1) | ((config[1] as number) >> 7);
  const channels = ((config[1] as number) >> 3) & 0x0f;
  let sampleRate = AAC_SAMPLE_RATES[rateIndex];
  if (rateIndex === 15) {
    if (config.length < 5) return null;
    sampleRate = ((config.readUInt32BE(1) >>> 7) & 0xffffff) >>> 0;
  }
  if (!sampleRate || objectType === 0 || objectType === 31) return null;
  return {
    kind: "audio",
    config,
    sampleRate,
    channels: channels || 2,
    codecString: `mp4a.40.${objectType}`,
  };
}

/**
 * RFC 6381 / ISO/IEC 14496-15 Annex E: `hvc1.` profile space and profile, the compatibility
 * flags in reverse bit order (hex), tier and level, then the constraint bytes without the
 * trailing zero ones.
 */
function hevcCodecString(record: Buffer): string {
  const byte1 = record[1] as number;
  const space = ["", "A", "B", "C"][byte1 >> 6] ?? "";
  const tier = byte1 & 0x20 ? "H" : "L";
  const profile = byte1 & 0x1f;
  const flags = record.readUInt32BE(2);
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) if (flags & (1 << bit)) reversed |= 1 << (31 - bit);
  const constraints = [...record.subarray(6, 12)];
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const level = record[12] as number;
  return [
    `hvc1.${space}${profile}`,
    (reversed >>> 0).toString(16),
    `${tier}${level}`,
    ...constraints.map((b) => b.toString(16).toUpperCase()),
  ].join(".");
}

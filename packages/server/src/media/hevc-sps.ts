import { BitReader, unescapeRbsp } from "./bit-reader.js";

/**
 * The picture size from an H.265 sequence parameter set NAL unit (with its two-byte NAL header),
 * after the conformance window (H.265 §7.3.2.2). Null for anything that does not parse.
 */
export function hevcDimensionsFromSps(nal: Uint8Array): { width: number; height: number } | null {
  try {
    const r = new BitReader(unescapeRbsp(nal.subarray(2)));
    r.u(4); // sps_video_parameter_set_id
    const maxSubLayersMinus1 = r.u(3);
    r.u(1); // sps_temporal_id_nesting_flag
    skipProfileTierLevel(r, maxSubLayersMinus1);
    r.ue(); // sps_seq_parameter_set_id
    const chromaFormat = r.ue();
    if (chromaFormat === 3) r.u(1); // separate_colour_plane_flag
    let width = r.ue();
    let height = r.ue();
    if (r.u(1) === 1) {
      const [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
      const subWidth = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
      const subHeight = chromaFormat === 1 ? 2 : 1;
      width -= subWidth * (left + right);
      height -= subHeight * (top + bottom);
    }
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    return null;
  }
}

/** profile_tier_level(1, maxSubLayersMinus1): 88 bits of general profile, the level, sub-layers. */
function skipProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): void {
  r.u(32);
  r.u(32);
  r.u(24); // general profile: space, tier, idc, compatibility flags, constraint flags
  r.u(8); // general_level_idc
  const profilePresent: number[] = [];
  const levelPresent: number[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.u(1));
    levelPresent.push(r.u(1));
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.u(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) {
      r.u(32);
      r.u(32);
      r.u(24);
    }
    if (levelPresent[i]) r.u(8);
  }
}

/** The first SPS of an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3.1). */
export function spsFromHvcc(record: Uint8Array): Uint8Array | null {
  if (record.length < 23 || record[0] !== 1) return null;
  let offset = 22;
  const arrays = record[offset++] as number;
  for (let a = 0; a < arrays; a++) {
    if (offset + 3 > record.length) return null;
    const type = (record[offset] as number) & 0x3f;
    const count = ((record[offset + 1] as number) << 8) | (record[offset + 2] as number);
    offset += 3;
    for (let n = 0; n < count; n++) {
      if (offset + 2 > record.length) return null;
      const length = ((record[offset] as number) << 8) | (record[offset + 1] as number);
      offset += 2;
      if (offset + length > record.length) return null;
      if (type === 33) return record.subarray(offset, offset + length);
      offset += length;
    }
  }
  return null;
}

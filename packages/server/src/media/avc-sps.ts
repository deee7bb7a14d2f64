import { BitReader, unescapeRbsp } from "./bit-reader.js";

/** Profiles whose SPS carries chroma format and bit depths (H.264 §7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/**
 * The coded picture size from an H.264 sequence parameter set NAL unit (with its one-byte NAL
 * header), after frame cropping. Returns null for anything that does not parse: the width and
 * height of a push event are informative, never a reason to drop a stream.
 */
export function avcDimensionsFromSps(nal: Uint8Array): { width: number; height: number } | null {
  try {
    const r = new BitReader(unescapeRbsp(nal.subarray(1)));
    const profile = r.u(8);
    r.u(16); // constraint flags, level
    r.ue(); // seq_parameter_set_id
    let chromaFormat = 1;
    let separateColourPlane = 0;
    if (HIGH_PROFILES.has(profile)) {
      chromaFormat = r.ue();
      if (chromaFormat === 3) separateColourPlane = r.u(1);
      r.ue(); // bit_depth_luma_minus8
      r.ue(); // bit_depth_chroma_minus8
      r.u(1); // qpprime_y_zero_transform_bypass_flag
      if (r.u(1) === 1) {
        for (let i = 0; i < (chromaFormat === 3 ? 12 : 8); i++) {
          if (r.u(1) === 1) skipScalingList(r, i < 6 ? 16 : 64);
        }
      }
    }
    r.ue(); // log2_max_frame_num_minus4
    const pocType = r.ue();
    if (pocType === 0) {
      r.ue();
    } else if (pocType === 1) {
      r.u(1);
      r.se();
      r.se();
      const cycle = r.ue();
      if (cycle > 255) return null;
      for (let i = 0; i < cycle; i++) r.se();
    }
    r.ue(); // max_num_ref_frames
    r.u(1); // gaps_in_frame_num_value_allowed_flag
    const widthInMbs = r.ue() + 1;
    const heightInMapUnits = r.ue() + 1;
    const frameMbsOnly = r.u(1);
    if (frameMbsOnly === 0) r.u(1);
    r.u(1); // direct_8x8_inference_flag
    let crop = { left: 0, right: 0, top: 0, bottom: 0 };
    if (r.u(1) === 1) crop = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
    const chroma = separateColourPlane ? 0 : chromaFormat;
    const cropUnitX = chroma === 1 || chroma === 2 ? 2 : 1;
    const cropUnitY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
    const width = widthInMbs * 16 - (crop.left + crop.right) * cropUnitX;
    const height =
      (2 - frameMbsOnly) * heightInMapUnits * 16 - (crop.top + crop.bottom) * cropUnitY;
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    return null;
  }
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

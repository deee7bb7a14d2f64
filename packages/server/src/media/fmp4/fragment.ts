import { box, fullBox, i32, u32, u64 } from "./box.js";

/** One sample of a fragment: its bytes and timing in the track's timescale. */
export interface Sample {
  data: Buffer;
  /** Decode time, in the track's timescale. */
  dts: number;
  duration: number;
  /** Presentation minus decode time (FLV's CompositionTime), in the track's timescale. */
  compositionOffset: number;
  /** A sync sample (a keyframe; every audio sample). */
  sync: boolean;
}

/** The samples of one track in one fragment, in decode order, contiguous. */
export interface TrackRun {
  trackId: number;
  samples: Sample[];
}

/** sample_flags (ISO/IEC 14496-12 §8.8.3.1): depends on no other / depends on others, non-sync. */
const SYNC_FLAGS = 0x02000000;
const NON_SYNC_FLAGS = 0x01010000;
/** trun flags: data-offset, sample-duration, sample-size, sample-flags, composition-time-offset. */
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
/** tfhd: default-base-is-moof, so data offsets count from the moof (ISO/IEC 14496-12 §8.8.7). */
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

/**
 * One movie fragment (ISO/IEC 14496-12 §8.8.4): moof with mfhd and one traf per track
 * (tfhd, tfdt with the first sample's decode time, trun v1 with signed composition offsets),
 * then one mdat with the tracks' samples one track after the other. The base decode time of a
 * track is its first sample's `dts`; the samples must follow each other (dts + duration = next
 * dts), which the caller guarantees. Tracks without samples are left out.
 */
export function buildFragment(sequenceNumber: number, runs: TrackRun[]): Buffer {
  const filled = runs.filter((run) => run.samples.length > 0);
  // trun sizes do not depend on the offsets, so the moof size is known before they are set.
  const trafs = (offsets: number[]) => filled.map((run, i) => traf(run, offsets[i] as number));
  const moofSize = box("moof", mfhd(sequenceNumber), ...trafs(filled.map(() => 0))).length;
  const offsets: number[] = [];
  let offset = moofSize + 8;
  for (const run of filled) {
    offsets.push(offset);
    offset += run.samples.reduce((sum, s) => sum + s.data.length, 0);
  }
  const moof = box("moof", mfhd(sequenceNumber), ...trafs(offsets));
  const mdat = box("mdat", ...filled.flatMap((run) => run.samples.map((s) => s.data)));
  return Buffer.concat([moof, mdat]);
}

function mfhd(sequenceNumber: number): Buffer {
  return fullBox("mfhd", 0, 0, u32(sequenceNumber));
}

function traf(run: TrackRun, dataOffset: number): Buffer {
  const first = run.samples[0] as Sample;
  const entries = Buffer.alloc(run.samples.length * 16);
  run.samples.forEach((s, i) => {
    entries.writeUInt32BE(s.duration >>> 0, i * 16);
    entries.writeUInt32BE(s.data.length, i * 16 + 4);
    entries.writeUInt32BE(s.sync ? SYNC_FLAGS : NON_SYNC_FLAGS, i * 16 + 8);
    entries.writeInt32BE(s.compositionOffset | 0, i * 16 + 12);
  });
  return box(
    "traf",
    fullBox("tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF, u32(run.trackId)),
    fullBox("tfdt", 1, 0, u64(first.dts)),
    fullBox("trun", 1, TRUN_FLAGS, u32(run.samples.length), i32(dataOffset), entries),
  );
}

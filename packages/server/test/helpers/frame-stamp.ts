/**
 * A frame number drawn into each picture, for glass-to-glass latency: a band across the top sixth
 * of the picture holds 16 blocks, black or white, left to right. Blocks 0–13 are the frame number
 * N in binary (least significant first), block 14 is their even parity and block 15 is always
 * white, so a black, grey or unstamped picture never reads as a number. The blocks are big
 * (a sixteenth of the width, a sixth of the height) and read at their centres against mid-grey, so
 * the number survives x264 at a low bitrate and the browser's scaling.
 *
 * ffmpeg draws them with `geq` (frameStampFilter); the page and the tests read them with
 * decodeFrameStamp.
 */

/** Data bits: N runs from 0 to 16383 (over 10 minutes at 25 fps) before it wraps. */
export const FRAME_STAMP_BITS = 14;
const BLOCKS = 16;

/**
 * The `geq` filter that stamps frame `N + offset` into a yuv420p picture (ffmpeg's `N` is the
 * output frame count of the filter, so with `-re` frame N leaves at clock start + N / fps).
 * Chroma is set to neutral in the band, so the blocks are pure black (16) and white (235).
 */
export function frameStampFilter(options: { offset?: number } = {}): string {
  const m = `(N+${options.offset ?? 0})`;
  const bit = (k: number | string) => `mod(floor(${m}/pow(2,${k})),2)`;
  const parity = `mod(${Array.from({ length: FRAME_STAMP_BITS }, (_, k) => bit(k)).join("+")},2)`;
  const block = `floor(X*${BLOCKS}/W)`;
  const value = `if(lt(${block},${FRAME_STAMP_BITS}),${bit(block)},if(eq(${block},${FRAME_STAMP_BITS}),${parity},1))`;
  const inBand = "lt(Y,H/6)";
  return [
    `geq=lum='if(${inBand},16+219*${value},lum(X,Y))'`,
    `cb='if(${inBand},128,cb(X,Y))'`,
    `cr='if(${inBand},128,cr(X,Y))'`,
  ].join(":");
}

/**
 * Reads the frame number out of RGBA pixels (a canvas's ImageData, or ffmpeg's `-pix_fmt rgba`)
 * of a picture `width` × `height`; only the band's rows are read, so `rgba` may hold just the top
 * sixth. Returns null when the marker or the parity does not check out.
 *
 * Self-contained on purpose (no names from outside its body): the glass-to-glass page gets it as
 * source text, `decodeFrameStamp.toString()`.
 */
export function decodeFrameStamp(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
): number | null {
  const blocks = 16;
  const dataBits = 14;
  const band = height / 6;
  const bits: number[] = [];
  for (let k = 0; k < blocks; k++) {
    // The middle half of the block, both ways: away from the edges that compression smears.
    const x0 = Math.floor(((k + 0.25) * width) / blocks);
    const x1 = Math.ceil(((k + 0.75) * width) / blocks);
    const y0 = Math.floor(band * 0.25);
    const y1 = Math.ceil(band * 0.75);
    let sum = 0;
    let count = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * width + x) * 4;
        sum += 0.299 * Number(rgba[i]) + 0.587 * Number(rgba[i + 1]) + 0.114 * Number(rgba[i + 2]);
        count++;
      }
    }
    bits.push(count > 0 && sum / count >= 128 ? 1 : 0);
  }
  if (bits[blocks - 1] !== 1) return null;
  let n = 0;
  let parity = 0;
  for (let k = 0; k < dataBits; k++) {
    const b = bits[k] ?? 0;
    n += b * 2 ** k;
    parity ^= b;
  }
  return parity === bits[dataBits] ? n : null;
}

import jpeg from "jpeg-js";

/** Packed RGB pixels, 3 bytes per pixel, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Decodes a JPEG to RGB in pure JS. The limits keep a hostile or absurd "screenshot" from
 * allocating gigabytes inside the worker: 1080p is 2 MP, 4K is 8.3 MP.
 */
export function decodeJpeg(bytes: Uint8Array): RgbImage {
  const image = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    maxResolutionInMP: 36,
    maxMemoryUsageInMB: 256,
  });
  return { width: image.width, height: image.height, data: image.data };
}

import type { LiveSegmenter } from "./live-segmenter.js";

/**
 * The multivariant playlist (RFC 8216bis §4.4.6): the one rendition OnAir serves (it does not
 * transcode), with CODECS from the sequence headers (RFC 6381), RESOLUTION from the SPS and
 * BANDWIDTH the peak segment bitrate measured so far (the parts so far before the first full
 * segment). No EXT-X-MEDIA alternatives either: with one rendition, the media playlist has no
 * other rendition to name in an EXT-X-RENDITION-REPORT (§4.4.5.4).
 */
export function writeMultivariantPlaylist(segmenter: LiveSegmenter, mediaUri: string): string {
  const codecs = segmenter.codecs;
  const attributes = [`BANDWIDTH=${peakBitrate(segmenter)}`];
  if (codecs && codecs.codecs.length > 0) attributes.push(`CODECS="${codecs.codecs.join(",")}"`);
  if (codecs && codecs.width > 0) attributes.push(`RESOLUTION=${codecs.width}x${codecs.height}`);
  return [
    "#EXTM3U",
    "#EXT-X-VERSION:9",
    `#EXT-X-STREAM-INF:${attributes.join(",")}`,
    mediaUri,
    "",
  ].join("\n");
}

/** Bits per second: the fullest complete segment, or all the parts so far. */
function peakBitrate(segmenter: LiveSegmenter): number {
  let peak = 0;
  for (const segment of segmenter.segments) {
    if (segment.duration > 0) peak = Math.max(peak, (segment.bytes * 8) / segment.duration);
  }
  if (peak === 0 && segmenter.current) {
    const parts = segmenter.current.parts;
    const duration = parts.reduce((sum, p) => sum + p.duration, 0);
    if (duration > 0) peak = (parts.reduce((sum, p) => sum + p.data.length, 0) * 8) / duration;
  }
  return Math.max(1, Math.ceil(peak));
}

import type { HlsSegment, LiveSegmenter } from "./live-segmenter.js";

/** How the playlist names its URIs: relative to the media playlist, each with the session token. */
export interface PlaylistUris {
  init(version: number): string;
  segment(msn: number): string;
  part(msn: number, index: number): string;
}

/**
 * The live media playlist of one stream (RFC 8216bis §4.4): full segments with EXTINF for every
 * HLS client, and for Low-Latency HLS the parts of the newest segments (EXT-X-PART, those within
 * three target durations of the live edge, §4.4.4.9), the part being cut as a preload hint
 * (§4.4.5.3), EXT-X-PART-INF and EXT-X-SERVER-CONTROL with CAN-BLOCK-RELOAD, PART-HOLD-BACK at
 * three part targets and HOLD-BACK at three target durations (§4.4.3.8). EXT-X-ENDLIST once the
 * stream ended.
 */
export function writeMediaPlaylist(segmenter: LiveSegmenter, uris: PlaylistUris): string {
  const { options } = segmenter;
  const partTarget = options.partTargetMs / 1000;
  const target = targetDuration(segmenter);
  const segments: HlsSegment[] = [...segmenter.segments];
  if (segmenter.current && segmenter.current.parts.length > 0) segments.push(segmenter.current);
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:9",
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(3 * partTarget)},HOLD-BACK=${seconds(3 * target)}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(partTarget)}`,
    `#EXT-X-MEDIA-SEQUENCE:${segments[0]?.msn ?? segmenter.liveMsn}`,
  ];
  if (segmenter.discontinuitySequence > 0) {
    lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${segmenter.discontinuitySequence}`);
  }
  // Parts are listed for the segments ending within three target durations of the live edge.
  let partsFrom = segments.length;
  let tail = 0;
  while (partsFrom > 0 && tail < 3 * target) {
    partsFrom--;
    tail += (segments[partsFrom] as HlsSegment).duration || partsDuration(segments[partsFrom]);
  }
  let map = -1;
  segments.forEach((segment, i) => {
    if (segment.discontinuity && i > 0) lines.push("#EXT-X-DISCONTINUITY");
    if (segment.initVersion !== map) {
      map = segment.initVersion;
      lines.push(`#EXT-X-MAP:URI="${uris.init(map)}"`);
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateMs).toISOString()}`);
    if (i >= partsFrom) {
      for (const part of segment.parts) {
        const independent = part.independent ? ",INDEPENDENT=YES" : "";
        lines.push(
          `#EXT-X-PART:DURATION=${seconds(part.duration)},URI="${uris.part(part.msn, part.index)}"${independent}`,
        );
      }
    }
    if (segment.data) {
      lines.push(`#EXTINF:${seconds(segment.duration)},`, uris.segment(segment.msn));
    }
  });
  if (segmenter.ended) {
    lines.push("#EXT-X-ENDLIST");
  } else if (segmenter.current) {
    const next = segmenter.current;
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${uris.part(next.msn, next.parts.length)}"`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * EXT-X-TARGETDURATION: the configured target in whole seconds, or more when a segment was
 * longer (a GOP longer than the target): every EXTINF, rounded, must fit (§4.4.3.1).
 */
export function targetDuration(segmenter: LiveSegmenter): number {
  return Math.max(
    Math.ceil(segmenter.options.segmentTargetMs / 1000),
    Math.round(segmenter.longestSegment),
  );
}

function partsDuration(segment: HlsSegment | undefined): number {
  return segment ? segment.parts.reduce((sum, p) => sum + p.duration, 0) : 0;
}

function seconds(value: number): string {
  return value.toFixed(5).replace(/0+$/, "").replace(/\.$/, ".0");
}

import type { HlsSegment, LiveSegmenter } from "./live-segmenter.js";

/** How the playlist names its URIs: relative to the media playlist, each with the session token. */
export interface PlaylistUris {
  init(version: number): string;
  segment(msn: number): string;
  part(msn: number, index: number): string;
}

/** RFC 8216bis §4.4.3.8: the Skip Boundary (CAN-SKIP-UNTIL) spans six target durations at least. */
const SKIP_TARGET_DURATIONS = 6;

/**
 * The live media playlist of one stream (RFC 8216bis §4.4): full segments with EXTINF for every
 * HLS client, and for Low-Latency HLS the parts of the newest segments (EXT-X-PART, those within
 * three target durations of the live edge, §4.4.4.9), the part being cut as a preload hint
 * (§4.4.5.3), EXT-X-PART-INF and EXT-X-SERVER-CONTROL with CAN-BLOCK-RELOAD, PART-HOLD-BACK at
 * three part targets, HOLD-BACK at three target durations and CAN-SKIP-UNTIL when the window is
 * long enough (§4.4.3.8, `skipUntil`). EXT-X-ENDLIST once the stream ended. No
 * EXT-X-RENDITION-REPORT: those name the other renditions of the multivariant playlist, and it
 * has one. With `delta` (a request's `_HLS_skip`, §6.2.5.1) and CAN-SKIP-UNTIL advertised, the
 * segments wholly older than the Skip Boundary are replaced by EXT-X-SKIP (a Playlist Delta
 * Update); the rest of the playlist is the full one's.
 */
export function writeMediaPlaylist(
  segmenter: LiveSegmenter,
  uris: PlaylistUris,
  { delta = false }: { delta?: boolean } = {},
): string {
  const { options } = segmenter;
  const partTarget = options.partTargetMs / 1000;
  const target = targetDuration(segmenter);
  const segments: HlsSegment[] = [...segmenter.segments];
  if (segmenter.current && segmenter.current.parts.length > 0) segments.push(segmenter.current);
  const until = skipUntil(segmenter);
  const canSkip = until === null ? "" : `,CAN-SKIP-UNTIL=${seconds(until)}`;
  // §6.2.5.1: _HLS_skip is ignored once the playlist has EXT-X-ENDLIST.
  const skipped =
    delta && until !== null && !segmenter.ended ? skippedSegments(segments, until) : 0;
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:9",
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(3 * partTarget)},HOLD-BACK=${seconds(3 * target)}${canSkip}`,
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
    // Skipped segments write nothing, so the first one listed names its init again (EXT-X-MAP):
    // a delta update still says which init its segments need.
    if (i < skipped) return;
    if (i === skipped && skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
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

/**
 * CAN-SKIP-UNTIL in seconds: six target durations. Advertised only with `windowSegments` of 12
 * or more (twice six), so that a delta update leaves out about half the window or more; with a
 * shorter window it would save a segment or two per reload. Null: not advertised, no deltas.
 */
export function skipUntil(segmenter: LiveSegmenter): number | null {
  if (segmenter.options.windowSegments < 2 * SKIP_TARGET_DURATIONS) return null;
  return SKIP_TARGET_DURATIONS * targetDuration(segmenter);
}

/** How many of the oldest segments end at least `until` seconds before the playlist's end. */
function skippedSegments(segments: HlsSegment[], until: number): number {
  const durations = segments.map((s) => s.duration || partsDuration(s));
  let remaining = durations.reduce((sum, d) => sum + d, 0);
  let skipped = 0;
  for (const duration of durations) {
    remaining -= duration;
    if (remaining < until) break;
    skipped++;
  }
  return skipped;
}

function partsDuration(segment: HlsSegment | undefined): number {
  return segment ? segment.parts.reduce((sum, p) => sum + p.duration, 0) : 0;
}

function seconds(value: number): string {
  return value.toFixed(5).replace(/0+$/, "").replace(/\.$/, ".0");
}

import { dirname, join } from "node:path";

/** What OnAir reads back from an HLS media playlist (RFC 8216 §4.3) ffmpeg wrote. */
export interface HlsPlaylist {
  /** Sum of the segments' `#EXTINF` durations. */
  durationSeconds: number;
  /** Segment URIs, relative to the playlist. */
  segments: string[];
}

export function parsePlaylist(text: string): HlsPlaylist {
  let durationSeconds = 0;
  const segments: string[] = [];
  for (const line of text.split("\n")) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf) durationSeconds += Number(extinf[1]);
    else if (line.trim() && !line.startsWith("#")) segments.push(line.trim());
  }
  return { durationSeconds, segments };
}

/** A segment's path on disk, from the playlist's own. */
export function segmentPath(playlistPath: string, segment: string): string {
  return join(dirname(playlistPath), segment);
}

/** The playlist's size plus its segments', each measured (one after the other) by `sizeOf`. */
export async function recordingBytes(
  playlistPath: string,
  playlist: HlsPlaylist,
  sizeOf: (path: string) => Promise<number>,
): Promise<number> {
  let bytes = await sizeOf(playlistPath);
  for (const segment of playlist.segments)
    bytes += await sizeOf(segmentPath(playlistPath, segment));
  return bytes;
}

/** What an HLS URL path names (docs/hls.md, "URLs"). */
export type HlsPath =
  | { kind: "multivariant"; appName: string; streamName: string }
  | { kind: "media"; appName: string; streamName: string }
  | { kind: "init"; appName: string; streamName: string; version: number }
  | { kind: "segment"; appName: string; streamName: string; msn: number }
  | { kind: "part"; appName: string; streamName: string; msn: number; index: number };

const MULTIVARIANT = /^\/([^/]+)\/([^/]+)\.m3u8$/;
const MEDIA = /^\/([^/]+)\/([^/]+)\/index\.m3u8$/;
const FILE =
  /^\/([^/]+)\/([^/]+)\/(?:init-(\d{1,15})\.mp4|seg-(\d{1,15})\.m4s|part-(\d{1,15})\.(\d{1,4})\.m4s)$/;

/**
 * Reads `/AppName/StreamName.m3u8` (multivariant), `/AppName/StreamName/index.m3u8` (media
 * playlist), `…/init-V.mp4`, `…/seg-MSN.m4s` and `…/part-MSN.INDEX.m4s`; null for any other
 * path or bad percent-encoding.
 */
export function parseHlsPath(path: string): HlsPath | null {
  try {
    const names = (match: RegExpExecArray) => ({
      appName: decodeURIComponent(match[1] as string),
      streamName: decodeURIComponent(match[2] as string),
    });
    const media = MEDIA.exec(path);
    if (media) return { kind: "media", ...names(media) };
    const file = FILE.exec(path);
    if (file) {
      const [, , , init, segment, partMsn, partIndex] = file;
      if (init !== undefined) return { kind: "init", ...names(file), version: Number(init) };
      if (segment !== undefined) return { kind: "segment", ...names(file), msn: Number(segment) };
      return { kind: "part", ...names(file), msn: Number(partMsn), index: Number(partIndex) };
    }
    const multivariant = MULTIVARIANT.exec(path);
    if (multivariant) return { kind: "multivariant", ...names(multivariant) };
    return null;
  } catch {
    return null;
  }
}

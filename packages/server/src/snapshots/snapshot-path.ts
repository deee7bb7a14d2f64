import { join } from "node:path";

/** Tencent names screenshots in Beijing time (docs/snapshots.md: 02:03:08 UTC → `10-03-08`). */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const UNSAFE_SEGMENT = /^\.{1,2}$|[/\\\0]/;

/** Where one screenshot goes on disk and how it is named in the callback. */
export interface SnapshotLocation {
  /** Absolute file path. */
  path: string;
  /** Tencent's `pic_url`: `/YYYY-MM-DD/{stream}-screenshot-HH-MM-SS-{W}x{H}.jpg`. */
  picUrl: string;
  /** The folder `pic_url` is relative to, under `/files/`: `snapshot/<domain>/<app>`. */
  basePath: string;
}

/**
 * Tencent's path shape (docs/snapshots.md), under `<filesDir>/snapshot/<domain>/<app>`. Null
 * when a name could escape its folder (`.`/`..` pass the ingest's name rules), so such a stream
 * gets no screenshots.
 */
export function snapshotLocation(input: {
  filesDir: string;
  domainName: string;
  appName: string;
  streamName: string;
  takenAt: Date;
  width: number;
  height: number;
}): SnapshotLocation | null {
  const segments = [input.domainName, input.appName, input.streamName];
  if (segments.some((s) => s === "" || UNSAFE_SEGMENT.test(s))) return null;
  const beijing = new Date(input.takenAt.getTime() + BEIJING_OFFSET_MS).toISOString();
  const day = beijing.slice(0, 10);
  const time = beijing.slice(11, 19).replace(/:/g, "-");
  const file = `${input.streamName}-screenshot-${time}-${input.width}x${input.height}.jpg`;
  const basePath = `snapshot/${encodeURIComponent(input.domainName)}/${encodeURIComponent(input.appName)}`;
  return {
    path: join(input.filesDir, "snapshot", input.domainName, input.appName, day, file),
    picUrl: `/${day}/${encodeURIComponent(file)}`,
    basePath,
  };
}

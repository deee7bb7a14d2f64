import { FFMPEG_FLV_STDIN } from "../../media/ffmpeg-process.js";

/**
 * The protocols a pull task's ffmpeg may open: the network ones of the URLs it accepts, never
 * `file`, so an HLS playlist or a redirect cannot make it read the server's own files.
 */
const PROTOCOLS = "http,https,tls,tcp,crypto,rtmp,rtmps,rtmpt,httpproxy";

/** How long ffmpeg waits on a network read or write before giving up (µs). */
const NETWORK_TIMEOUT_US = "10000000";

/** One source as the reader plays it. */
export interface RelaySource {
  url: string;
  /** A file (PullVodPushLive): read at its own rate (`-re`), from `offsetSeconds`. */
  file: boolean;
  offsetSeconds: number;
}

/**
 * The reader: pulls one source and writes it, streams copied, as FLV on stdout. Live sources
 * (rtmp://, rtmps://, HTTP-FLV, another OnAir's streams) arrive in real time; files are paced
 * with `-re`. At most one video and one audio stream are taken (an MP4 may have more).
 */
export function readerArgs(source: RelaySource): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-nostdin",
    "-protocol_whitelist",
    PROTOCOLS,
    "-rw_timeout",
    NETWORK_TIMEOUT_US,
    ...(source.file ? ["-re"] : []),
    ...(source.file && source.offsetSeconds > 0 ? ["-ss", source.offsetSeconds.toFixed(3)] : []),
    "-i",
    source.url,
    "-map",
    "0:v:0?",
    "-map",
    "0:a:0?",
    "-c",
    "copy",
    "-f",
    "flv",
    "pipe:1",
  ];
}

/**
 * The writer: reads the relay's one continuous FLV timeline on stdin and pushes it, copied, to
 * the target, so a list of files is one publish at the target, not one per file. It reports
 * `total_size=` (bytes written to the target) on stdout every half second: the push's own proof
 * that media reaches the target.
 */
export function writerArgs(targetUrl: string): string[] {
  return [
    ...FFMPEG_FLV_STDIN,
    "-progress",
    "pipe:1",
    "-stats_period",
    "0.5",
    "-map",
    "0",
    "-c",
    "copy",
    "-rw_timeout",
    NETWORK_TIMEOUT_US,
    "-f",
    "flv",
    targetUrl,
  ];
}

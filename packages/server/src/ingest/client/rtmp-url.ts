import { isIP } from "node:net";

/** Where an RTMP client connects and what it publishes, from an `rtmp://` or `rtmps://` URL. */
export interface RtmpUrl {
  secure: boolean;
  host: string;
  port: number;
  /** The application: the first path segment (nginx-rtmp's and Tencent's `live`). */
  app: string;
  /** The rest of the path with the query (`cam1?txSecret=…`): what `publish` names. */
  streamName: string;
  /** `rtmp[s]://host[:port]/app` as `connect` sends it. */
  tcUrl: string;
}

export type RtmpUrlResult = { ok: true; value: RtmpUrl } | { ok: false; reason: string };

const DEFAULT_PORT = { "rtmp:": 1935, "rtmps:": 443 } as const;

/**
 * Splits an RTMP URL the way nginx-rtmp and ffmpeg do: the first path segment is the app, the
 * rest (with the query string) the stream name; the port defaults to 1935 for rtmp:// and 443
 * for rtmps://.
 *
 * @example
 * parseRtmpUrl("rtmp://127.0.0.1:1935/live/cam1?k=v")
 * // { ok: true, value: { app: "live", streamName: "cam1?k=v", port: 1935, … } }
 */
export function parseRtmpUrl(text: string): RtmpUrlResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `not a URL: ${JSON.stringify(text)}` };
  }
  if (url.protocol !== "rtmp:" && url.protocol !== "rtmps:") {
    return { ok: false, reason: `scheme ${url.protocol} (rtmp:// or rtmps://)` };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "user information in the URL is not supported" };
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (host === "") return { ok: false, reason: "no host" };
  const path = url.pathname.replace(/^\/+/, "");
  const slash = path.indexOf("/");
  const app = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
  const stream = slash < 0 ? "" : path.slice(slash + 1);
  if (app === "") return { ok: false, reason: "no application (rtmp://host/app/stream)" };
  if (stream === "") return { ok: false, reason: "no stream name (rtmp://host/app/stream)" };
  const port = url.port === "" ? DEFAULT_PORT[url.protocol] : Number(url.port);
  const hostPart = isIP(host) === 6 ? `[${host}]` : host;
  return {
    ok: true,
    value: {
      secure: url.protocol === "rtmps:",
      host,
      port,
      app,
      streamName: decodeURIComponent(stream) + url.search,
      tcUrl: `${url.protocol}//${hostPart}${url.port === "" ? "" : `:${url.port}`}/${app}`,
    },
  };
}

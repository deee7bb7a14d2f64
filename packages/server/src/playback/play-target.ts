import { isIP } from "node:net";
import type { PlayRequest } from "../ingest/session/play-host.js";

/**
 * Where a play goes: the play domain, AppName and StreamName. The play domain is the host the
 * player asked for (tcUrl host, HTTP Host); a player that connects by IP or as localhost names
 * it with `domain=`, as a publisher does (docs/playback.md). Names follow Tencent's characters,
 * as for push.
 */
export interface PlayTarget {
  domain: string;
  appName: string;
  streamName: string;
}

const STREAM_NAME = /^[A-Za-z0-9_.~-]{1,256}$/;
const APP_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;
const DOMAIN_NAME = /^[A-Za-z0-9.:-]{1,255}$/;

export function resolvePlayTarget(
  request: Pick<PlayRequest, "host" | "appName" | "streamName" | "query">,
): { ok: true; value: PlayTarget } | { ok: false; reason: string } {
  const host = request.host.replace(/^\[|\]$/g, "").toLowerCase();
  const byAddress = host === "" || host === "localhost" || isIP(host) !== 0;
  const domainParam = new URLSearchParams(request.query).get("domain");
  const domain = (byAddress ? (domainParam ?? (host || "localhost")) : host).toLowerCase();
  const { appName, streamName } = request;
  if (/^\.+$/.test(streamName) || /^\.+$/.test(appName) || /^\.+$/.test(domain)) {
    return { ok: false, reason: "names made only of dots are not allowed" };
  }
  if (!STREAM_NAME.test(streamName)) {
    return { ok: false, reason: `invalid stream name ${JSON.stringify(streamName.slice(0, 64))}` };
  }
  if (!APP_NAME.test(appName)) {
    return { ok: false, reason: `invalid AppName ${JSON.stringify(appName.slice(0, 64))}` };
  }
  if (!DOMAIN_NAME.test(domain)) {
    return { ok: false, reason: `invalid play domain ${JSON.stringify(domain.slice(0, 64))}` };
  }
  return { ok: true, value: { domain, appName, streamName } };
}

/**
 * The AppName and StreamName of an HTTP-FLV path, `/AppName/StreamName.flv`; null for any other
 * path (more or fewer segments, no `.flv`, bad percent-encoding).
 */
export function parseFlvPath(path: string): { appName: string; streamName: string } | null {
  const match = /^\/([^/]+)\/([^/]+)\.flv$/.exec(path);
  if (!match) return null;
  try {
    return {
      appName: decodeURIComponent(match[1] as string),
      streamName: decodeURIComponent(match[2] as string),
    };
  } catch {
    return null;
  }
}

/** The host of a Host header, without its port ("[::1]:8080" → "::1"). */
export function hostWithoutPort(header: string | undefined): string {
  if (!header) return "";
  if (header.startsWith("[")) {
    const end = header.indexOf("]");
    return end < 0 ? "" : header.slice(1, end);
  }
  const colon = header.indexOf(":");
  return colon < 0 ? header : header.slice(0, colon);
}

import { isIP } from "node:net";
import { signPushUrl } from "@onair/callbacks";
import type { Store } from "../store/store.js";
import type { DashboardPlayUrlInfo } from "./wire-types.js";

/** The viewer counters the dashboard shows, per `AppName/StreamName` (playback/viewer-stats.ts). */
export interface ViewerFigures {
  readonly streams: ReadonlyMap<string, { online: number; requests: number; bytes: number }>;
}

/** How long the player's signed URL stays valid: play auth is checked once, at the request. */
export const PLAY_URL_VALIDITY_SECONDS = 3_600;

/**
 * The same-origin HTTP-FLV path the dashboard's player opens (docs/playback.md), and the HLS
 * multivariant playlist it opens instead where the browser cannot play HTTP-FLV (docs/hls.md):
 * the same path with `.m3u8`, the same query and signature. The play domain
 * is the page's own host when that is a name (the HTTP-FLV route takes it from the Host header);
 * when the page is opened by address or as localhost, it is named with `domain=`: the one asked
 * for, else the first play domain added, else none (an unregistered domain, played under
 * `playback.allowUnregisteredDomains`). When that play domain has play authentication, the path
 * is signed here with its main key (Tencent 267/31560), so the browser gets a signed URL and
 * never a key.
 */
export async function dashboardPlayUrl(
  deps: { store: Store; nowSeconds: number },
  request: { appName: string; streamName: string; pageHost: string; playDomain?: string },
): Promise<DashboardPlayUrlInfo> {
  const host = request.pageHost.replace(/^\[|\]$/g, "").toLowerCase();
  const byAddress = host === "" || host === "localhost" || isIP(host) !== 0;
  const domains = await deps.store.domains.list();
  const playDomains = domains.filter((d) => d.type === 1);
  const domainName = byAddress ? (request.playDomain ?? playDomains[0]?.name ?? "") : host;
  const domain = domains.find((d) => d.name === domainName);
  const query = new URLSearchParams();
  if (byAddress && domainName) query.set("domain", domainName);
  const auth = domain?.type === 1 && domain.playAuth.enabled ? domain.playAuth : null;
  const expiresAt = deps.nowSeconds + PLAY_URL_VALIDITY_SECONDS;
  if (auth) {
    const { txSecret, txTime } = signPushUrl({
      key: auth.mainKey,
      streamName: request.streamName,
      expiresAt,
    });
    query.set("txSecret", txSecret);
    query.set("txTime", txTime);
  }
  const search = query.toString();
  const path = `/${encodeURIComponent(request.appName)}/${encodeURIComponent(request.streamName)}`;
  const url = (extension: string) => `${path}.${extension}${search ? `?${search}` : ""}`;
  return {
    FlvUrl: url("flv"),
    HlsUrl: url("m3u8"),
    PlayDomain: domainName,
    PlayDomains: playDomains.map((d) => d.name),
    AuthEnabled: auth !== null,
    ExpireTime: auth ? new Date(expiresAt * 1000).toISOString() : "",
  };
}

/** Viewers now, play requests and bytes sent for one stream on this node (0s when unknown). */
export function dashboardViewers(
  figures: ViewerFigures | undefined,
  appName: string,
  streamName: string,
): { PlaybackEnabled: boolean; Viewers: number; Requests: number; Bytes: number } {
  const counters = figures?.streams.get(`${appName}/${streamName}`);
  return {
    PlaybackEnabled: figures !== undefined,
    Viewers: counters?.online ?? 0,
    Requests: counters?.requests ?? 0,
    Bytes: counters?.bytes ?? 0,
  };
}

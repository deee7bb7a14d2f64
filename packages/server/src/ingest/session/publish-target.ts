import { isIP } from "node:net";
import type { AmfValue } from "../rtmp/amf0.js";

/**
 * Where a publish goes: push domain, AppName, StreamName and `stream_param`, from the connect
 * command's `app` and `tcUrl` and the publish name (`name?query`; ffmpeg and OBS put the query
 * there, some clients put it on the tcUrl). The push domain is the tcUrl host; a client that
 * connects by IP names it with `domain=` or gets the configured default (docs/ingest.md).
 */
export interface PublishTarget {
  domain: string;
  appName: string;
  streamName: string;
  streamParam: string;
}

/** Tencent's StreamName characters; they also end up in file paths, so nothing else passes. */
const STREAM_NAME = /^[A-Za-z0-9_.~-]{1,256}$/;
const APP_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;
const DOMAIN_NAME = /^[A-Za-z0-9.:[\]-]{1,255}$/;

export function parsePublishTarget(input: {
  app: string;
  tcUrl: string;
  publishName: AmfValue;
  defaultDomain: string | null;
}): { ok: true; value: PublishTarget } | { ok: false; reason: string } {
  if (typeof input.publishName !== "string" || input.publishName === "") {
    return { ok: false, reason: "publish without a stream name" };
  }
  const [streamName = "", nameQuery] = splitOnce(input.publishName, "?");
  const [appName = "", appQuery] = splitOnce(input.app, "?");
  let host = "";
  let tcUrlQuery: string | undefined;
  try {
    const url = new URL(input.tcUrl);
    host = url.hostname.replace(/^\[|\]$/g, "");
    tcUrlQuery = url.search ? url.search.slice(1) : undefined;
  } catch {
    // A missing or odd tcUrl leaves the domain to `domain=` or the default.
  }
  const streamParam = nameQuery ?? tcUrlQuery ?? appQuery ?? "";
  const domainParam = new URLSearchParams(streamParam).get("domain");
  const byAddress = host === "" || host === "localhost" || isIP(host) !== 0;
  const domain = byAddress ? (domainParam ?? input.defaultDomain ?? (host || "localhost")) : host;
  // "." and ".." would name directories in recording and screenshot paths.
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
    return { ok: false, reason: `invalid push domain ${JSON.stringify(domain.slice(0, 64))}` };
  }
  return { ok: true, value: { domain: domain.toLowerCase(), appName, streamName, streamParam } };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

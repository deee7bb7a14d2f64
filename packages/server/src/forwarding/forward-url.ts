import type { StreamKey } from "../domain/stream-key.js";
import { parseRtmpUrl } from "../ingest/client/rtmp-url.js";

/** The placeholders a target URL may hold, each replaced by the publish's own value. */
const PLACEHOLDERS = {
  "{StreamName}": (key: StreamKey) => key.streamName,
  "{AppName}": (key: StreamKey) => key.appName,
  "{DomainName}": (key: StreamKey) => key.domainName,
} as const;
const PLACEHOLDER = /\{(StreamName|AppName|DomainName)\}/g;

/**
 * The URL a publish is forwarded to (docs/relay.md): the rule's URL with `{StreamName}`,
 * `{AppName}` and `{DomainName}` replaced; a URL without `{StreamName}` gets the stream name
 * appended to its path, as nginx-rtmp's `push` does (`rtmp://host/app` → `rtmp://host/app/cam1`,
 * before any query string). The publisher's own query (its push auth) is never passed on.
 *
 * @example
 * forwardUrl("rtmp://cdn.example.com/live", key) // "rtmp://cdn.example.com/live/cam1"
 * forwardUrl("rtmps://x.example.com/app/{StreamName}_hd?k=1", key) // ".../app/cam1_hd?k=1"
 */
export function forwardUrl(template: string, key: StreamKey): string {
  const expanded = template.replace(PLACEHOLDER, (name) =>
    encodeURIComponent(PLACEHOLDERS[name as keyof typeof PLACEHOLDERS](key)),
  );
  if (template.includes("{StreamName}")) return expanded;
  const query = expanded.indexOf("?");
  const path = query < 0 ? expanded : expanded.slice(0, query);
  const search = query < 0 ? "" : expanded.slice(query);
  return `${path.replace(/\/+$/, "")}/${encodeURIComponent(key.streamName)}${search}`;
}

/** Why a rule's target URL cannot work (checked with a sample stream), or null when it can. */
export function forwardUrlProblem(template: string): string | null {
  if (template.length > 1024) return "longer than 1024 characters";
  const sample = forwardUrl(template, {
    domainName: "push.example.com",
    appName: "live",
    streamName: "stream",
  });
  const parsed = parseRtmpUrl(sample);
  return parsed.ok ? null : parsed.reason;
}

/** The URL without its query string, for logs (a target's query often holds its push auth). */
export function redactedUrl(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : `${url.slice(0, query)}?…`;
}

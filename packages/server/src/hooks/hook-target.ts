import type { StreamKey } from "../domain/stream-key.js";
import { type PublishTarget, parsePublishTarget } from "../ingest/session/publish-target.js";
import { HookInputError } from "./hook-request.js";

const DOMAIN_NAME = /^[A-Za-z0-9.-]{1,255}$/;

/**
 * Push domain, AppName, StreamName and stream_param of a hooked publish, by the ingest's own
 * rules (docs/ingest.md): the tcUrl host, or — when the publisher connected by IP — `domain=` in its
 * query, else `defaultDomain`. `domain` (SRS's vhost) wins when the peer names one.
 */
export function resolveTarget(input: {
  app: string;
  tcUrl: string;
  streamName: string;
  /** The publisher's query string, without `?`. */
  streamParam: string;
  defaultDomain: string | null;
  domain?: string | undefined;
}): PublishTarget {
  const parsed = parsePublishTarget({
    app: input.app,
    tcUrl: input.tcUrl,
    // Always with `?`, so a tcUrl query (SRS adds `?vhost=`) never becomes the stream_param.
    publishName: `${input.streamName}?${input.streamParam}`,
    defaultDomain: input.defaultDomain,
  });
  if (!parsed.ok) throw new HookInputError(parsed.reason);
  if (input.domain) {
    if (!DOMAIN_NAME.test(input.domain)) {
      throw new HookInputError(`invalid push domain ${JSON.stringify(input.domain.slice(0, 64))}`);
    }
    return { ...parsed.value, domain: input.domain.toLowerCase() };
  }
  return parsed.value;
}

/** The stream a hooked publish is about. */
export function targetKey(target: PublishTarget): StreamKey {
  return { domainName: target.domain, appName: target.appName, streamName: target.streamName };
}

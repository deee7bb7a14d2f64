import { signPushUrl } from "@onair/callbacks";
import type { PullTask } from "../../domain/pull-task.js";
import type { Store } from "../../store/store.js";

/** Query keys OnAir sets itself on a push to its own ingest. */
const OWN_KEYS = new Set(["domain", "txSecret", "txTime"]);

/**
 * The `to_url` of a task's 314s: its ToUrl as given, or the OnAir push it makes,
 * `rtmp://DomainName/AppName/StreamName` with its PushArgs (without the push-auth secret).
 */
export function reportedTargetUrl(task: PullTask): string {
  const c = task.config;
  if (c.toUrl !== "") return c.toUrl;
  const query = c.pushArgs === "" ? "" : `?${c.pushArgs}`;
  return `rtmp://${c.domainName}/${c.appName}/${encodeURIComponent(c.streamName)}${query}`;
}

/**
 * Where the writer pushes: the task's ToUrl, or this node's own RTMP ingest (on loopback) as a
 * publish of DomainName/AppName/StreamName, so a relayed stream is a push like any other
 * (callbacks, recording, playback). A domain with push authentication gets a `txSecret` signed
 * with its main key, valid until the task's EndTime. Null when this node takes no RTMP publish.
 */
export async function pushTargetUrl(
  task: PullTask,
  deps: { store: Store; rtmpAddress: () => { host: string; port: number } | null },
): Promise<string | null> {
  const c = task.config;
  if (c.toUrl !== "") return c.toUrl;
  const ingest = deps.rtmpAddress();
  if (!ingest) return null;
  const query = new URLSearchParams(c.pushArgs);
  const own = new URLSearchParams({ domain: c.domainName });
  const domain = await deps.store.domains.get(c.domainName);
  if (domain?.pushAuth.enabled && !query.has("txSecret")) {
    const signed = signPushUrl({
      key: domain.pushAuth.mainKey,
      streamName: c.streamName,
      expiresAt: Math.ceil(task.endTime.getTime() / 1000) + 60,
    });
    own.set("txSecret", signed.txSecret);
    own.set("txTime", signed.txTime);
  }
  for (const [key, value] of query) if (!OWN_KEYS.has(key) || !own.has(key)) own.append(key, value);
  const host = ingest.host.includes(":") ? `[${ingest.host}]` : ingest.host;
  return `rtmp://${host}:${ingest.port}/${c.appName}/${encodeURIComponent(c.streamName)}?${own}`;
}

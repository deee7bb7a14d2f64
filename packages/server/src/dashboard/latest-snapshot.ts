import { readdir, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { EventType } from "@onair/callbacks";
import type { StreamKey } from "../domain/stream-key.js";
import type { Store } from "../store/store.js";

/** Screenshot callbacks (event_type 200) looked at per stream. */
const RECENT_SNAPSHOT_EVENTS = 5;
/** Date folders searched, newest first: today's and, just after midnight, yesterday's. */
const DATE_FOLDERS_SEARCHED = 2;
const SAFE_SEGMENT = /^[A-Za-z0-9_.~-]+$/;

/**
 * The newest screenshot of a stream as a URL the browser can load (signed unless `files.public`),
 * or "" when there is none.
 * First the latest screenshot callback's `pic_full_url` (turned into a same-origin `/files/…`
 * path when it points at OnAir's files, since the public URL may not be reachable from the
 * operator's browser); else the newest file of the layout in docs/snapshots.md,
 * `files/snapshot/DOMAIN/APP/YYYY-MM-DD/STREAM-screenshot-HH-MM-SS-WxH.jpg`.
 */
export async function latestSnapshot(
  deps: { store: Store; filesDir: string; fileUrlQuery: (path: string) => string },
  key: StreamKey,
): Promise<string> {
  const path = await latestSnapshotPath(deps, key);
  if (!path.startsWith("/files/")) return path;
  // Signed afresh (the callback's signature may be old, or from another key); the page's
  // session cookie is scoped to /dashboard and never reaches /files/.
  try {
    return `${path}${deps.fileUrlQuery(decodeURIComponent(path.slice("/files/".length)))}`;
  } catch {
    return "";
  }
}

async function latestSnapshotPath(
  deps: { store: Store; filesDir: string },
  key: StreamKey,
): Promise<string> {
  const events = await deps.store.events.list({
    streamId: key.streamName,
    eventTypes: [EventType.Snapshot],
    limit: RECENT_SNAPSHOT_EVENTS,
  });
  const event = events.find((e) => e.domainName === key.domainName && e.appName === key.appName);
  const full = event?.body.pic_full_url;
  if (typeof full === "string" && /^https?:\/\//.test(full)) {
    const at = full.indexOf("/files/snapshot/");
    return at === -1 ? full : full.slice(at).replace(/[?#].*$/s, "");
  }
  return newestSnapshotFile(deps.filesDir, key);
}

async function newestSnapshotFile(filesDir: string, key: StreamKey): Promise<string> {
  const { domainName, appName, streamName } = key;
  if (![domainName, appName, streamName].every((s) => SAFE_SEGMENT.test(s) && !/^\.+$/.test(s))) {
    return "";
  }
  const appDir = join(resolve(filesDir), "snapshot", domainName, appName);
  const days = (await readdir(appDir, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory() && /^\d{4}-\d{2}-\d{2}$/.test(d.name))
    .map((d) => d.name)
    .sort()
    .reverse()
    .slice(0, DATE_FOLDERS_SEARCHED);
  for (const day of days) {
    const names = (await readdir(join(appDir, day)).catch(() => [])).filter(
      (n) => n.startsWith(`${streamName}-screenshot-`) && n.endsWith(".jpg"),
    );
    let best: { name: string; mtimeMs: number } | null = null;
    for (const name of names) {
      const info = await stat(join(appDir, day, name)).catch(() => null);
      if (info?.isFile() && (!best || info.mtimeMs > best.mtimeMs)) {
        best = { name, mtimeMs: info.mtimeMs };
      }
    }
    if (best && !best.name.includes(sep)) {
      return `/files/snapshot/${[domainName, appName, day, best.name].map(encodeURIComponent).join("/")}`;
    }
  }
  return "";
}

import type { Clock } from "../domain/clock.js";
import type { Store } from "../store/store.js";
import { liveEvent } from "./live-feed.js";
import type { MissingUrlWarning, Overview } from "./wire-types.js";

/** Minutes of event history the overview charts. */
const OVERVIEW_MINUTES = 15;
/** Events read for the chart at most; a busier quarter hour shows a flat top. */
const EVENT_SCAN_LIMIT = 10_000;
/** Events the overview's "Latest events" starts with. */
const RECENT_EVENTS = 10;

export async function readOverview(deps: {
  store: Store;
  clock: Clock;
  missingUrls: () => MissingUrlWarning[];
}): Promise<Overview> {
  const now = deps.clock.now();
  const from = new Date(now.getTime() - OVERVIEW_MINUTES * 60_000);
  const [stats, events, online, recent] = await Promise.all([
    deps.store.deliveries.stats(now),
    deps.store.events.list({ from, limit: EVENT_SCAN_LIMIT }),
    deps.store.streams.list({}),
    deps.store.events.list({ limit: RECENT_EVENTS }),
  ]);
  const perMinute = new Array<number>(OVERVIEW_MINUTES).fill(0);
  for (const event of events) {
    const age = Math.floor((now.getTime() - event.createdAt.getTime()) / 60_000);
    const slot = OVERVIEW_MINUTES - 1 - age;
    if (slot >= 0 && slot < OVERVIEW_MINUTES) perMinute[slot] = (perMinute[slot] ?? 0) + 1;
  }
  const finished = stats.delivered + stats.dead;
  return {
    Time: now.toISOString(),
    OnlineStreams: online.length,
    Pending: stats.pending,
    Dead: stats.dead,
    Delivered: stats.delivered,
    OldestPendingAgeMs: stats.oldestPendingAgeMs,
    SuccessRate: finished === 0 ? null : stats.delivered / finished,
    EventsPerMinute: perMinute,
    MissingUrls: deps.missingUrls(),
    RecentEvents: recent.map((event) => liveEvent(event)),
  };
}

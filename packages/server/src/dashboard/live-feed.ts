import { EventType } from "@onair/callbacks";
import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import type { StoredEvent } from "../domain/types.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { Store } from "../store/store.js";
import type { LiveEvent } from "./wire-types.js";

/**
 * Committed events for the dashboard's open SSE streams. This node's own are told on its bus
 * ("event.committed"), so a push shows the moment it is durable. With a store several nodes
 * share (PostgreSQL), the events the other nodes commit are read from the store every `pollMs`,
 * so a browser sees every node's events whichever node it is connected to. A listener that throws
 * is logged by the bus and cannot fail a commit whose event is already committed.
 */
export interface LiveFeed {
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** Stops reading the store. */
  close(): void;
}

/** How far back each read of the store looks: a commit slower than this, or a node's clock this far behind, is missed. */
const LOOKBACK_MS = 10_000;
/** Events read per poll at most: a burst larger than this in one poll shows in part. */
const POLL_LIMIT = 500;

export function createLiveFeed(
  nodeEvents: NodeEvents,
  shared?: { store: Store; clock: Clock; logger: Logger; pollMs?: number },
): LiveFeed {
  const listeners = new Set<(event: LiveEvent) => void>();
  // Ids already shown, with their time, so an event is told once whether it came by the bus or
  // a read of the store; entries older than the lookback are dropped.
  const seen = new Map<string, number>();
  const remembering = shared?.store.sharedAcrossNodes === true;
  let timer: NodeJS.Timeout | undefined;
  const tell = (event: LiveEvent, createdAtMs: number) => {
    if (seen.has(event.EventId)) return;
    // Remembered only while the store is read (someone listens), so the map stays bounded.
    if (remembering && timer) seen.set(event.EventId, createdAtMs);
    for (const listener of listeners) listener(event);
  };
  const off = nodeEvents.on("event.committed", (event) =>
    tell(liveEvent(event, event.deliveryIds.length), event.createdAt.getTime()),
  );
  let reading = false;
  // No backlog: a feed shows what is committed from when someone is listening.
  let since = 0;
  const poll = async (store: Store, clock: Clock) => {
    const from = Math.max(since, clock.now().getTime() - LOOKBACK_MS);
    for (const event of await store.events.committedSince(new Date(from), POLL_LIMIT)) {
      tell(liveEvent(event, event.deliveryCount), event.createdAt.getTime());
    }
    for (const [id, at] of seen) if (at < from - LOOKBACK_MS) seen.delete(id);
  };
  const startPolling = () => {
    if (!shared?.store.sharedAcrossNodes || timer) return;
    const { store, clock, logger } = shared;
    since = clock.now().getTime();
    timer = setInterval(() => {
      if (reading) return;
      reading = true;
      poll(store, clock)
        .catch((err: unknown) => logger.warn({ err }, "live feed: reading events failed"))
        .finally(() => {
          reading = false;
        });
    }, shared.pollMs ?? 1000);
    timer.unref();
  };
  const stopPolling = () => {
    clearInterval(timer);
    timer = undefined;
    seen.clear();
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      startPolling();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stopPolling();
      };
    },
    close() {
      stopPolling();
      off();
    },
  };
}

/**
 * How the feed shows an event, whether just committed or read back from the history. The
 * delivery count is given by the live feed (bus or store read) and left out for the history.
 */
export function liveEvent(event: StoredEvent, deliveries?: number): LiveEvent {
  const live: LiveEvent = {
    EventId: event.id,
    EventType: event.eventType,
    DomainName: event.domainName,
    AppName: event.appName,
    StreamName: event.streamId,
    Time: event.createdAt.toISOString(),
  };
  if (deliveries !== undefined) live.Deliveries = deliveries;
  if (event.eventType === EventType.Interruption) {
    live.Errcode = Number(event.body.errcode);
    live.Errmsg = String(event.body.errmsg ?? "");
  }
  if (typeof event.body.alert === "string") {
    live.Alert = event.body.alert;
    live.Message = String(event.body.message ?? "");
  }
  return live;
}

import { EventType } from "@onair/callbacks";
import type { StoredEvent } from "../domain/types.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { LiveEvent } from "./wire-types.js";

/**
 * Committed events for the dashboard's open SSE streams, as they are told on the node's bus
 * ("event.committed"), so a push shows the moment it is durable. A listener that throws is
 * logged by the bus and cannot fail a commit whose event is already committed.
 */
export interface LiveFeed {
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

export function createLiveFeed(nodeEvents: NodeEvents): LiveFeed {
  return {
    subscribe(listener) {
      return nodeEvents.on("event.committed", (event) =>
        listener({ ...liveEvent(event), Deliveries: event.deliveryIds.length }),
      );
    },
  };
}

/** How the feed shows an event, whether just committed or read back from the history. */
export function liveEvent(event: StoredEvent): LiveEvent {
  const live: LiveEvent = {
    EventId: event.id,
    EventType: event.eventType,
    DomainName: event.domainName,
    AppName: event.appName,
    StreamName: event.streamId,
    Time: event.createdAt.toISOString(),
  };
  if (event.eventType === EventType.Interruption) {
    live.Errcode = Number(event.body.errcode);
    live.Errmsg = String(event.body.errmsg ?? "");
  }
  return live;
}

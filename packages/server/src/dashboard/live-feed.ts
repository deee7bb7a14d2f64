import type { CommittedEvent, NodeEvents } from "../observability/node-events.js";

/** What the dashboard's live feed says about one committed event. */
export interface LiveEvent {
  EventId: string;
  EventType: number;
  DomainName: string;
  AppName: string;
  StreamName: string;
  Time: string;
  /** Interruptions only: why the publish ended. */
  Errcode?: number;
  Errmsg?: string;
  Deliveries: number;
}

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
      return nodeEvents.on("event.committed", (event) => listener(liveEvent(event)));
    },
  };
}

function liveEvent(event: CommittedEvent): LiveEvent {
  const live: LiveEvent = {
    EventId: event.id,
    EventType: event.eventType,
    DomainName: event.domainName,
    AppName: event.appName,
    StreamName: event.streamId,
    Time: event.createdAt.toISOString(),
    Deliveries: event.deliveryIds.length,
  };
  if (event.eventType === 0) {
    live.Errcode = Number(event.body.errcode);
    live.Errmsg = String(event.body.errmsg ?? "");
  }
  return live;
}

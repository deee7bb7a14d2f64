import { EventType } from "@onair/callbacks";
import type { NewEvent } from "../store/store.js";
import type { LiveEvent } from "./wire-types.js";

/**
 * An in-process fan-out of committed events to the dashboard's open SSE streams. `publish` is
 * handed to the event committer as its `onCommitted` hook; it never throws, so a broken listener
 * cannot fail a commit whose event is already committed.
 */
export interface LiveFeed {
  publish(event: NewEvent, deliveryIds: readonly string[]): void;
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

export function createLiveFeed(): LiveFeed {
  const listeners = new Set<(event: LiveEvent) => void>();
  return {
    publish(event, deliveryIds) {
      if (listeners.size === 0) return;
      const live: LiveEvent = {
        EventId: event.id,
        EventType: event.eventType,
        DomainName: event.domainName,
        AppName: event.appName,
        StreamName: event.streamId,
        Time: event.createdAt.toISOString(),
        Deliveries: deliveryIds.length,
      };
      if (event.eventType === EventType.Interruption) {
        live.Errcode = Number(event.body.errcode);
        live.Errmsg = String(event.body.errmsg ?? "");
      }
      for (const listener of listeners) {
        try {
          listener(live);
        } catch {
          listeners.delete(listener);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

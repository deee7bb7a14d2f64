import { EventEmitter } from "node:events";
import type { StoredEvent } from "../domain/types.js";
import type { PublishedStream } from "../media/published-stream.js";

/** An event the committer made durable, with the outbox rows it created. */
export interface CommittedEvent extends StoredEvent {
  deliveryIds: readonly string[];
}

/** One finished delivery attempt, as the dispatcher recorded it. */
export interface DeliveryAttempted {
  deliveryId: string;
  url: string;
  eventType: number;
  /** What follows: delivered, retry (pending again) or dead. */
  outcome: "delivered" | "retry" | "dead";
  /** The lease had gone to another node: the attempt is recorded, the outcome is not applied. */
  leaseLost: boolean;
  statusCode: number | null;
  /** Why it failed (`timeout`, `http_status`, ...); null when answered 200. */
  errorCode: string | null;
  durationMs: number;
}

/** An event was committed whose matched template has no URL for its type (told once per pair). */
export interface CallbackUrlMissing {
  templateId: number;
  templateName: string;
  eventType: number;
  /** The template field that would have named the URL, e.g. `RecordNotifyUrl`. */
  urlField: string;
  domainName: string;
  appName: string;
  streamId: string;
  at: Date;
}

/**
 * Everything one OnAir node tells its own parts, by name. One map, so what subscribes to what is
 * written in one place (docs/architecture.md) instead of closures passed through the composition
 * root. Per node, not process-wide: tests and benches run several nodes in one process.
 */
export interface NodeEventMap {
  /** A publish was accepted; its tags flow until it ends (recording and screenshots attach). */
  "publish.started": [stream: PublishedStream];
  /** An event and its outbox rows are durable (the dispatcher wakes, the live feed shows it). */
  "event.committed": [event: CommittedEvent];
  "delivery.attempted": [attempt: DeliveryAttempted];
  /** The first event per template and type that went nowhere: the template lacks its URL. */
  "callback.url-missing": [missing: CallbackUrlMissing];
  /** Deliveries were put back in the queue (API or dashboard redeliver): the dispatcher wakes. */
  "deliveries.requeued": [requeued: { count: number }];
}

/**
 * The typed bus of one node. Listeners run synchronously in the emitter's turn and must not
 * throw; one that throws is logged by `onListenerError` and the others still run.
 */
export interface NodeEvents {
  emit<K extends keyof NodeEventMap>(name: K, ...args: NodeEventMap[K]): void;
  on<K extends keyof NodeEventMap>(
    name: K,
    listener: (...args: NodeEventMap[K]) => void,
  ): () => void;
}

export function createNodeEvents(
  onListenerError: (name: string, err: unknown) => void,
): NodeEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emit(name, ...args) {
      for (const listener of emitter.listeners(name)) {
        try {
          (listener as (...a: unknown[]) => void)(...args);
        } catch (err) {
          onListenerError(name, err);
        }
      }
    },
    on(name, listener) {
      emitter.on(name, listener as (...a: unknown[]) => void);
      return () => emitter.off(name, listener as (...a: unknown[]) => void);
    },
  };
}

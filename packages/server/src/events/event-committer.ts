import { EventType } from "@onair/callbacks";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { IdGenerator } from "../domain/ids.js";
import { presetPolicy } from "../domain/retry-policy.js";
import {
  type CallbackUrlField,
  type EventSource,
  URL_FIELD_FOR_EVENT_TYPE,
} from "../domain/types.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { AppendLease, ClaimedDelivery, NewDelivery, NewEvent, Store } from "../store/store.js";
import { signingKeys } from "../store/template-repository.js";

/** An event to make durable and deliver. */
export interface EventInput {
  /** The callback body without `t`/`sign` (built with @onair/callbacks' builders). */
  body: Record<string, unknown> & { event_type: number };
  domainName: string;
  appName: string;
  streamId: string;
  source: EventSource;
  /**
   * The `sequence` of the publish the event belongs to (its push, interruption, recording,
   * screenshot, porn-detection or push-exception callbacks): its deliveries wait for the push's
   * (docs/architecture.md, "Delivery order").
   */
  publishSequence?: string | undefined;
}

/**
 * Where an event goes when no template names its URL: a pull-and-relay task's 314 goes to the
 * task's CallbackUrl (Tencent 267/56245). `templateId` is the template whose CallbackKey signs it
 * (none: `NO_TEMPLATE_ID`); `orderingKey` makes its deliveries go one after the other.
 */
export interface DirectTarget {
  url: string;
  templateId: number;
  orderingKey: string;
}

/**
 * The `template_id` of a delivery no template signs (ids start at 1; 0 is the operator alerts'):
 * its `sign` is MD5("" + t), as for a template without a CallbackKey.
 */
export const NO_TEMPLATE_ID = -1;

/**
 * The node's dispatcher as the committer sees it: a lease for an event's fresh deliveries, which
 * the append then commits leased to it, so their first attempt needs no claim (docs/scale.md,
 * "Dispatch throughput").
 */
export interface DeliveryHandoff {
  /** A lease for one append of deliveries to `urls`, or null (stopped, or no room soon). */
  reserve(urls: readonly string[]): HandoffReservation | null;
}

/** One append's lease. */
export interface HandoffReservation {
  readonly lease: AppendLease;
  /** Hands over the deliveries the append committed leased. */
  start(leased: ClaimedDelivery[]): void;
  /** The append failed. */
  cancel(): void;
}

/** What was committed. */
export interface CommitResult {
  eventId: string;
  deliveryIds: string[];
}

export interface EventCommitter {
  /** Commits an event to the URL its rule's template names for its type. */
  commit(input: EventInput): Promise<CommitResult>;
  /** Commits an event with one delivery to `target`, through the same outbox and dispatcher. */
  commitTo(input: EventInput, target: DirectTarget): Promise<CommitResult>;
}

/**
 * Commits an event from any source (ingest, hooks, recording, screenshots, moderation, intake):
 * it finds the rule and template for (domain, AppName) and commits the event and one outbox row
 * per matching URL in one transaction, then tells the node's bus ("event.committed": the
 * dispatcher wakes, the dashboard's live feed shows it, the events counter counts it). An event
 * that no rule matches is still stored, with no deliveries, so it shows in the event history.
 * An event whose matched template has no URL for its type is stored the same way, and the first
 * one per template and type is told on the bus ("callback.url-missing": the log and the dashboard
 * say so), because a template missing RecordNotifyUrl otherwise loses every 100 without a trace.
 * With `handoff`, deliveries free to go are committed leased to the node's dispatcher and handed
 * to it directly (`EventRepository.append`); held ones wait for its claim.
 */
export function createEventCommitter(deps: {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  newId: IdGenerator;
  nodeEvents: NodeEvents;
  handoff?: DeliveryHandoff;
}): EventCommitter {
  // Once per (template, event type) on this node: the first event tells, the rest would be noise.
  const warned = new Set<string>();
  const warnMissingUrl = (
    template: { id: number; name: string },
    field: CallbackUrlField,
    input: EventInput,
  ) => {
    const key = `${template.id}|${input.body.event_type}`;
    if (warned.has(key)) return;
    warned.add(key);
    deps.nodeEvents.emit("callback.url-missing", {
      templateId: template.id,
      templateName: template.name,
      eventType: input.body.event_type,
      urlField: field,
      domainName: input.domainName,
      appName: input.appName,
      streamId: input.streamId,
      at: deps.clock.now(),
    });
  };
  /** The stored form of an event, stamped now, with a fresh id. */
  const newEvent = (input: EventInput): NewEvent => ({
    id: deps.newId("evt"),
    eventType: input.body.event_type,
    domainName: input.domainName,
    appName: input.appName,
    streamId: input.streamId,
    body: input.body,
    source: input.source,
    createdAt: deps.clock.now(),
    publishSequence: input.publishSequence,
  });
  return {
    async commit(input) {
      const rule = await deps.store.rules.match(input.domainName, input.appName);
      const template = rule ? await deps.store.templates.get(rule.templateId) : null;
      const field = URL_FIELD_FOR_EVENT_TYPE[input.body.event_type];
      const url = template && field ? template.urls[field] : undefined;
      const deliveries: NewDelivery[] = [];
      if (template && url && levelWanted(template.recordExceptionLevels, input.body)) {
        deliveries.push({
          id: deps.newId("msg"),
          templateId: template.id,
          url,
          policy:
            template.retryPolicy ?? presetPolicy(deps.config.retryPreset, input.body.event_type),
          orderingKey: template.perStreamOrdering
            ? `${input.domainName}/${input.appName}/${input.streamId}|${url}`
            : null,
        });
      }
      const event = newEvent(input);
      const eventId = event.id;
      const reservation =
        deliveries.length > 0
          ? (deps.handoff?.reserve(deliveries.map((d) => d.url)) ?? null)
          : null;
      let leased: Awaited<ReturnType<Store["events"]["append"]>>;
      try {
        leased = await deps.store.events.append(event, deliveries, reservation?.lease);
      } catch (error) {
        reservation?.cancel();
        throw error;
      }
      if (reservation) {
        const keys = signingKeys(template ?? undefined, deps.clock.now());
        const owner = reservation.lease.owner;
        reservation.start(leased.map((delivery) => ({ delivery, event, keys, leaseOwner: owner })));
      }
      // Told only once the event is durable, as "event.committed" is.
      if (template && field && !url) warnMissingUrl(template, field, input);
      const deliveryIds = deliveries.map((d) => d.id);
      deps.nodeEvents.emit("event.committed", { ...event, deliveryIds });
      return { eventId, deliveryIds };
    },
    async commitTo(input, target) {
      const delivery: NewDelivery = {
        id: deps.newId("msg"),
        templateId: target.templateId,
        url: target.url,
        policy: presetPolicy(deps.config.retryPreset, input.body.event_type),
        orderingKey: target.orderingKey,
      };
      const event = newEvent(input);
      await deps.store.events.append(event, [delivery]);
      deps.nodeEvents.emit("event.committed", { ...event, deliveryIds: [delivery.id] });
      return { eventId: event.id, deliveryIds: [delivery.id] };
    },
  };
}

/**
 * A template's RecordExceptionLevels (Tencent CreateLiveCallbackTemplate) picks which 341s it is
 * sent: only the levels it lists; none listed sends every level (OnAir's reading, docs/api.md).
 */
function levelWanted(levels: readonly string[], body: EventInput["body"]): boolean {
  if (body.event_type !== EventType.RecordException || levels.length === 0) return true;
  return levels.includes(String(body.exception_level));
}

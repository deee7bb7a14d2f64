import type {
  Attempt,
  CallbackRule,
  CallbackTemplate,
  Delivery,
  EndpointState,
  ForwardRule,
  PushAuthConfig,
  PushDomain,
  RetryPolicy,
  StoredEvent,
} from "../domain/types.js";
import type { HistoryRepository } from "./history-repository.js";
import type { PlaySampleRepository } from "./play-sample-repository.js";
import type { PullTaskRepository } from "./pull-task-repository.js";
import type { DeliveryFilter, EventFilter } from "./query-filters.js";
import type { RecordingRepository } from "./recording-repository.js";
import type { RefusalRepository } from "./refusal-repository.js";
import type { SnapshotRepository } from "./snapshot-repository.js";
import type { StreamRepository } from "./stream-repository.js";
import type { TaskRepository } from "./task-repository.js";

/**
 * The one persistence interface, with two drivers: SQLite (default, embedded, WAL) and
 * PostgreSQL (several nodes). Both pass the same contract suite (test/store/store-contract.ts).
 * Every method is one verb on one aggregate; every multi-row change is one transaction.
 */
export interface Store {
  readonly kind: "sqlite" | "postgres";
  /**
   * Whether several nodes may share this store (PostgreSQL). A SQLite file has one node: every
   * live-stream row not this node's is from its own past life, and there is no other node to
   * watch or to pass a Drop to.
   */
  readonly sharedAcrossNodes: boolean;
  /** Applies the numbered migrations not applied yet. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Writes (durably) one tiny row for `node`: the `/healthz` probe. Rejects when the store
   * cannot write (disk full, read-only, connection lost).
   */
  probeWrite(node: string, at: Date): Promise<void>;
  /**
   * The last write that failed because storage is full (`isStorageFull`), until a later write
   * commits; in memory, so `/healthz` reads it for free.
   */
  lastStorageFull(): { at: Date; message: string } | null;

  domains: DomainRepository;
  templates: TemplateRepository;
  rules: RuleRepository;
  events: EventRepository;
  deliveries: DeliveryRepository;
  endpoints: EndpointRepository;
  /** Retention of delivered (and expired dead) history. */
  history: HistoryRepository;
  streams: StreamRepository;
  recording: RecordingRepository;
  snapshots: SnapshotRepository;
  alerts: AlertStateRepository;
  sessions: SessionRepository;
  /** On-demand record and screenshot tasks (CreateRecordTask, CreateScreenshotTask). */
  tasks: TaskRepository;
  /** Pull-and-relay tasks (CreateLivePullStreamTask) and the lease of the node running each. */
  pullTasks: PullTaskRepository;
  refusals: RefusalRepository;
  /** Viewer statistics, one sample per node and interval (the play-info actions). */
  playSamples: PlaySampleRepository;
  /** Forward rules (docs/relay.md). */
  forwards: ForwardRuleRepository;
}

export interface ForwardRuleRepository {
  /** Adds a target of (domain, AppName); null when that target is already there. */
  create(input: {
    domainName: string;
    appName: string;
    targetUrl: string;
  }): Promise<ForwardRule | null>;
  /** Every rule, or those of one domain, oldest first. */
  list(filter?: { domainName?: string }): Promise<ForwardRule[]>;
  /** The targets of a publish: its exact AppName's and the domain-wide ("") ones. */
  match(domainName: string, appName: string): Promise<ForwardRule[]>;
  /** How many targets (domain, AppName) has. */
  count(domainName: string, appName: string): Promise<number>;
  delete(input: { domainName: string; appName: string; targetUrl: string }): Promise<boolean>;
}

export interface DomainRepository {
  /** Throws `ONAIR_ERR_DOMAIN_EXISTS` when the name exists. */
  create(input: { name: string; type: 0 | 1; pushAuth: PushAuthConfig }): Promise<PushDomain>;
  get(name: string): Promise<PushDomain | null>;
  list(): Promise<PushDomain[]>;
  /** Returns false when there was no such domain. */
  delete(name: string): Promise<boolean>;
  /** Returns null when there is no such domain. */
  updatePushAuth(name: string, pushAuth: PushAuthConfig): Promise<PushDomain | null>;
  /** EnableLiveDomain (1) and ForbidLiveDomain (0); null when there is no such domain. */
  setStatus(name: string, status: 0 | 1): Promise<PushDomain | null>;
  /** Returns null when there is no such domain. */
  updatePlayAuth(name: string, playAuth: PushAuthConfig): Promise<PushDomain | null>;
}

export type TemplateInput = Omit<CallbackTemplate, "id" | "createdAt" | "updatedAt">;

export interface TemplateRepository {
  create(input: TemplateInput): Promise<CallbackTemplate>;
  get(id: number): Promise<CallbackTemplate | null>;
  list(): Promise<CallbackTemplate[]>;
  /** Replaces the template's fields; returns null when there is no such template. */
  update(id: number, input: TemplateInput): Promise<CallbackTemplate | null>;
  /** Throws `ONAIR_ERR_TEMPLATE_IN_USE` when a rule uses it; returns false when absent. */
  delete(id: number): Promise<boolean>;
}

export interface RuleRepository {
  /** Creates the rule for (domainName, appName); null when that pair already has one. */
  create(input: {
    domainName: string;
    appName: string;
    templateId: number;
  }): Promise<CallbackRule | null>;
  /** Creates or replaces the rule for (domainName, appName). */
  upsert(input: { domainName: string; appName: string; templateId: number }): Promise<CallbackRule>;
  list(): Promise<CallbackRule[]>;
  /**
   * The rule for a publish: the exact (domain, AppName) rule, else the domain-wide one (AppName
   * ""), else null. Domain names compare case-insensitively, AppNames exactly (they are URL
   * paths). An index lookup: its cost does not grow with the number of rules.
   */
  match(domainName: string, appName: string): Promise<CallbackRule | null>;
  delete(domainName: string, appName: string): Promise<boolean>;
}

/** One outbox row to create together with its event. */
export interface NewDelivery {
  id: string;
  templateId: number;
  url: string;
  policy: RetryPolicy;
  orderingKey: string | null;
}

/**
 * An event to commit: what is stored, as it will be stored, and the `sequence` of the publish it
 * belongs to, if any (its push, interruption, recording, screenshot, porn-detection and
 * push-exception callbacks). Its deliveries carry that publish's `publishKey`, the push barrier
 * of `DeliveryRepository.claimDue`.
 */
export type NewEvent = StoredEvent & { publishSequence?: string | undefined };

/** The lease `EventRepository.append` commits fresh deliveries under. */
export interface AppendLease {
  owner: string;
  leaseMs: number;
}

export interface EventRepository {
  /**
   * Commits an event and its outbox rows in one transaction (the outbox: nothing is sent that
   * was not first recorded). Deliveries are due at `event.createdAt`.
   *
   * With `lease`, the deliveries that a claim at `event.createdAt` could take are committed
   * already leased to `lease.owner` until `createdAt + leaseMs` (the committing node sends them
   * without a claim's write) and returned as stored; the others stay unleased for the claim:
   * those with an ordering key, and a publish's other events while its push is pending (the push
   * barrier). A lease that lapses is claimable by any node, as a claimed one is.
   */
  append(event: NewEvent, deliveries: NewDelivery[], lease?: AppendLease): Promise<Delivery[]>;
  get(id: string): Promise<StoredEvent | null>;
  /** Newest first. */
  list(filter: EventFilter): Promise<StoredEvent[]>;
  /**
   * Events created at or after `since`, oldest first, with how many deliveries each has: what
   * the dashboard's live feed reads to show events other nodes committed.
   */
  committedSince(since: Date, limit: number): Promise<(StoredEvent & { deliveryCount: number })[]>;
}

/**
 * An operator alert as the outbox takes it (docs/alerts.md): committed in the same transaction
 * as the change it tells of, so neither is lost without the other.
 */
export interface AlertCommit {
  event: NewEvent;
  deliveries: NewDelivery[];
}

/**
 * The origin a delivery's attempts share a connection pool and a concurrency cap with:
 * `scheme://authority` as written, lower-cased (the 0006 migration computes the same for older
 * rows). Not a URL parse: a malformed URL is its own origin and fails at send time.
 *
 * @example
 * deliveryOrigin("https://Hooks.example:8443/a?b") // "https://hooks.example:8443"
 */
export function deliveryOrigin(url: string): string {
  const match = /^[^:/?#]+:\/\/[^/?#]*/.exec(url);
  return match ? match[0].toLowerCase() : url;
}

/**
 * The publish an event belongs to, as its deliveries store it: the stream key and the publish's
 * `sequence` (a sequence is only unique per stream), or null for an event of no publish.
 *
 * @example
 * publishKey({ domainName: "d.example", appName: "live", streamId: "s", publishSequence: "42" })
 * // "d.example/live/s|42"
 */
export function publishKey(event: NewEvent): string | null {
  if (!event.publishSequence) return null;
  return `${event.domainName}/${event.appName}/${event.streamId}|${event.publishSequence}`;
}

/** A claimed delivery with what the dispatcher needs to send it. */
export interface ClaimedDelivery {
  delivery: Delivery;
  event: StoredEvent;
  /** Current CallbackKey first, then rotated-out keys still in their overlap window. */
  keys: string[];
  /** The lease token that `complete`/`fail` must present. */
  leaseOwner: string;
}

export type { DeliveryFilter, EventFilter };

/** One attempt to record; the store numbers it. */
export type AttemptRecord = Omit<Attempt, "deliveryId" | "number">;

export interface DeliveryRepository {
  /**
   * Claims up to `limit` deliveries that are pending and due (`nextAttemptAt <= now`) and not
   * leased, or whose lease expired, setting `leaseOwner` and `leaseExpiresAt = now + leaseMs`.
   * With per-stream ordering only the oldest pending delivery of an ordering key is claimable.
   * Push barrier: a delivery of a publish's other event (same `publishKey`) is not claimable while
   * a delivery of that publish's push (event 1), to any URL, is pending or in flight; once the
   * push is delivered or dead, or when it has none, the others are.
   * Fairness per origin (`deliveryOrigin`): at most `perOriginLimit` minus the origin's count in
   * `inFlightByOrigin` rows of one origin are claimed, and an origin at its cap is skipped, so a
   * receiver that hangs holds at most its own share of the caller's slots and none of its rows
   * sit leased while they cannot run. PostgreSQL: `FOR UPDATE SKIP LOCKED`.
   */
  claimDue(input: {
    owner: string;
    now: Date;
    leaseMs: number;
    limit: number;
    /** Attempts one origin may have in flight on the caller (default: no cap). */
    perOriginLimit?: number;
    /** The caller's attempts in flight, by origin. */
    inFlightByOrigin?: ReadonlyMap<string, number>;
  }): Promise<ClaimedDelivery[]>;
  /**
   * Records one attempt and moves the delivery on, only if `owner` still holds the lease:
   * `next` = "delivered", "dead", or the time of the next attempt (status stays pending).
   * Returns false when the lease was lost (the attempt is still recorded).
   */
  recordAttempt(input: {
    deliveryId: string;
    owner: string;
    attempt: AttemptRecord;
    next: "delivered" | "dead" | Date;
    /** Committed with the attempt when it makes the delivery dead (and the lease was held). */
    alertIfDead?: AlertCommit | undefined;
  }): Promise<boolean>;
  /** Drops leases held by `owner` (graceful shutdown after in-flight attempts finished). */
  releaseLeases(owner: string): Promise<number>;
  get(id: string): Promise<Delivery | null>;
  list(filter: DeliveryFilter): Promise<{ items: Delivery[]; nextCursor: string | null }>;
  attempts(deliveryId: string): Promise<Attempt[]>;
  /**
   * Makes delivered or dead deliveries pending and due now again: the attempt counter (and so the
   * retry budget) starts over, while attempt records keep their numbering. Returns the ids that
   * were requeued, or would be with `dryRun`.
   */
  redeliver(input: {
    ids?: string[];
    filter?: Omit<DeliveryFilter, "limit" | "cursor">;
    now: Date;
    dryRun?: boolean;
  }): Promise<string[]>;
  /**
   * The queue figures `/metrics` exports, each from an index range (no table scan): pending and
   * dead counts cost one index entry per pending or dead row, the oldest pending one seek.
   */
  queueGauges(now: Date): Promise<{
    pending: number;
    dead: number;
    oldestPendingAgeMs: number | null;
  }>;
  /** Queue figures for the API and the dashboard (the delivered count reads its whole range). */
  stats(now: Date): Promise<{
    pending: number;
    dead: number;
    delivered: number;
    oldestPendingAgeMs: number | null;
  }>;
  /**
   * Age of the oldest pending delivery that is not an operator alert (template 0), for the
   * queue-age alert: an alert endpoint that is down must not keep that alert raised.
   */
  oldestPendingAgeMs(now: Date): Promise<number | null>;
}

export interface EndpointRepository {
  get(url: string): Promise<EndpointState | null>;
  list(): Promise<EndpointState[]>;
  /** After a successful attempt: clears `failingSince`. */
  markSuccess(url: string): Promise<void>;
  /** After a failed attempt: sets `failingSince` if unset; returns the state. */
  markFailure(url: string, at: Date): Promise<EndpointState>;
  /**
   * Disables the endpoint; true when this call disabled it (it was not already), and then
   * `alert` commits in the same transaction, so of several nodes only one tells of it.
   */
  disable(url: string, at: Date, reason: string, alert?: AlertCommit): Promise<boolean>;
  /**
   * One-call re-enable: clears the disabled state and the failure run. True when the endpoint
   * is known; `alert` commits with it only when it was disabled.
   */
  enable(url: string, alert?: AlertCommit): Promise<boolean>;
}

/** Alerts with a state (the queue-age alert): told once per change, whichever node sees it. */
export interface AlertStateRepository {
  /**
   * Moves alert `name` to `state` (a missing one starts at `initial`); when that is a change,
   * `alert` commits in the same transaction and the answer is true. Two nodes that see the same
   * crossing at once: one gets true.
   */
  transition(input: {
    name: string;
    initial: string;
    state: string;
    at: Date;
    alert: AlertCommit;
  }): Promise<boolean>;
}

/** Dashboard sign-ins, by the SHA-256 of their token, shared by every node of the store. */
export interface SessionRepository {
  create(tokenHash: string, expiresAt: Date): Promise<void>;
  /** The session's expiry, or null when there is none. */
  expiresAt(tokenHash: string): Promise<Date | null>;
  delete(tokenHash: string): Promise<void>;
  /** Deletes sessions expired by `now`. */
  deleteExpired(now: Date): Promise<number>;
}

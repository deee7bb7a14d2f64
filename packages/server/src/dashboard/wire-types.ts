/**
 * What the dashboard app reads from the server: the API's response shapes and the dashboard's
 * own (overview, live feed). The app imports these types from here instead of restating them;
 * this file and what it re-exports import nothing, so the app's build type-checks them as they are.
 */
export type * from "../api/wire-types.js";

/** The figures of the dashboard's overview, also pushed over SSE as `stats`. */
export interface Overview {
  Time: string;
  OnlineStreams: number;
  Pending: number;
  Dead: number;
  Delivered: number;
  OldestPendingAgeMs: number | null;
  /** delivered / (delivered + dead), over every finished delivery; null before the first. */
  SuccessRate: number | null;
  /** Events per minute, oldest first; the last entry is the current minute so far. */
  EventsPerMinute: number[];
  /** Templates that matched an event but have no URL for its type (one entry per pair). */
  MissingUrls: MissingUrlWarning[];
  /** The newest events, newest first, so "Latest events" is filled before the feed says more. */
  RecentEvents: LiveEvent[];
}

/** A template matched an event of EventType but its UrlField is empty: nothing was sent. */
export interface MissingUrlWarning {
  TemplateId: number;
  TemplateName: string;
  EventType: number;
  UrlField: string;
  /** The first such event's domain/app/stream. */
  StreamName: string;
  Time: string;
}

/** What the dashboard's live feed (SSE `onair-event`) says about one committed event. */
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
  /** Operator alerts only (event type 9000, docs/alerts.md): which alert, and its message. */
  Alert?: string;
  Message?: string;
  /** Outbox rows the event created; only on events of the live feed, not the history. */
  Deliveries?: number;
}

/** One live stream of DashboardLiveStreams. */
export interface DashboardStream {
  DomainName: string;
  AppName: string;
  StreamName: string;
  Sequence: string;
  StartTime: string;
  ClientIp: string;
  /** `width*height`, or "" when unknown. */
  Resolution: string;
  /** The newest screenshot's signed URL, or "". */
  SnapshotUrl: string;
}

/**
 * DashboardPushUrl's answer: a signed push URL when the domain has push auth. A type, not an
 * interface, so that it is a `Record<string, unknown>` an action may return as it is.
 */
export type DashboardPushUrlInfo = {
  AuthEnabled: boolean;
  PushUrl: string;
  TxTime: string;
  TxSecret: string;
  ExpireTime: string;
  /** The RTMP port bound, null when ingest is off. */
  RtmpPort: number | null;
};

/** One operator alert of DashboardAlerts (docs/alerts.md). */
export interface DashboardAlert {
  EventId: string;
  Time: string;
  /** `endpoint_disabled`, `endpoint_enabled`, `delivery_dead`, `queue_age_exceeded`, `queue_age_recovered`. */
  Alert: string;
  Message: string;
  Node: string;
}

/** A push domain in use (rules, live streams) that was never added with AddLiveDomain. */
export interface UnregisteredDomain {
  Name: string;
  /** "callback rule", "record rule", "screenshot rule", "live stream". */
  UsedBy: string[];
}
/** DashboardPlayUrl's answer: the same-origin URLs the stream view's player opens. */
export type DashboardPlayUrlInfo = {
  /** A path on this server, `/AppName/StreamName.flv?…`, signed when the play domain has auth. */
  FlvUrl: string;
  /** The HLS multivariant playlist, `/AppName/StreamName.m3u8?…`, with the same query. */
  HlsUrl: string;
  /** The play domain it plays on ("" for none added: an unregistered domain). */
  PlayDomain: string;
  /** Every play domain added, to choose from. */
  PlayDomains: string[];
  AuthEnabled: boolean;
  /** When the signature expires ("" without play auth). */
  ExpireTime: string;
};

/** DashboardViewers' answer: one stream's viewer figures on this node. */
export type DashboardViewersInfo = {
  /** False when playback is off on this node. */
  PlaybackEnabled: boolean;
  Viewers: number;
  Requests: number;
  Bytes: number;
};

/** DashboardSaveCallbackRule's answer: the template bound now, and the one it replaced. */
export type DashboardCallbackRuleSaved = {
  TemplateId: number;
  /** The pair's template before this save; null when the pair had no rule. */
  PreviousTemplateId: number | null;
};

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
  Deliveries: number;
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

/** DashboardSaveCallbackRule's answer: the template bound now, and the one it replaced. */
export type DashboardCallbackRuleSaved = {
  TemplateId: number;
  /** The pair's template before this save; null when the pair had no rule. */
  PreviousTemplateId: number | null;
};

/** Response shapes of the actions the dashboard calls (field names as in docs/api.md). */

export interface Overview {
  Time: string;
  OnlineStreams: number;
  Pending: number;
  Dead: number;
  Delivered: number;
  OldestPendingAgeMs: number | null;
  SuccessRate: number | null;
  EventsPerMinute: number[];
}

/** An event as the live feed (SSE `onair-event`) announces it. */
export interface LiveEvent {
  EventId: string;
  EventType: number;
  DomainName: string;
  AppName: string;
  StreamName: string;
  Time: string;
  Errcode?: number;
  Errmsg?: string;
  Deliveries: number;
}

export interface LiveStream {
  DomainName: string;
  AppName: string;
  StreamName: string;
  Sequence: string;
  StartTime: string;
  ClientIp: string;
  Resolution: string;
  SnapshotUrl: string;
}

export interface StreamEventInfo {
  AppName: string;
  DomainName: string;
  StreamName: string;
  StreamStartTime: string;
  StreamEndTime: string;
  StopReason: string;
  Duration: number;
  ClientIp: string;
  Resolution: string;
}

export type DeliveryStatus = "pending" | "delivered" | "dead" | "disabled";

export interface Delivery {
  DeliveryId: string;
  EventId: string;
  TemplateId: number;
  Url: string;
  EventType: number;
  StreamName: string;
  Status: DeliveryStatus;
  Attempts: number;
  NextAttemptTime: string;
  LastError: string;
  CreateTime: string;
  UpdateTime: string;
}

export interface Attempt {
  Number: number;
  StartTime: string;
  DurationMs: number;
  StatusCode: number | null;
  ErrorCode: string;
  ErrorMessage: string;
  Request: string;
  Response: string;
}

export interface Domain {
  Name: string;
  Type: number;
  CreateTime: string;
}

export interface PushAuthKeyInfo {
  DomainName: string;
  Enable: number;
  MasterAuthKey: string;
  BackupAuthKey: string;
  AuthDelta: number;
}

export interface CallbackTemplate {
  TemplateId: number;
  TemplateName: string;
  Description: string;
  CallbackKey: string;
  OnAirRetryPolicy: { MaxRetries: number; IntervalMs: number; TimeoutMs: number } | null;
  OnAirPerStreamOrdering: boolean;
  [url: string]: unknown;
}

export interface CallbackRule {
  DomainName: string;
  AppName: string;
  TemplateId: number;
  CreateTime: string;
}

export interface RecordParam {
  RecordInterval: number;
  StorageTime: number;
  Enable: number;
}

export interface RecordTemplate {
  TemplateId: number;
  TemplateName: string;
  Description: string;
  FlvParam?: RecordParam;
  HlsParam?: RecordParam;
  Mp4Param?: RecordParam;
  AacParam?: RecordParam;
}

/** Tencent's RuleInfo, as DescribeLiveRecordRules and DescribeLiveSnapshotRules answer. */
export interface StreamRule {
  TemplateId: number;
  DomainName: string;
  AppName: string;
  StreamName: string;
}

/** Tencent's SnapshotTemplateInfo (docs/snapshots.md); the COS fields are stored, not used. */
export interface SnapshotTemplate {
  TemplateId: number;
  TemplateName: string;
  Description: string;
  SnapshotInterval: number;
  Width: number;
  Height: number;
  PornFlag: number;
  CosAppId: number;
  CosBucket: string;
  CosRegion: string;
}

export interface PushUrlInfo {
  AuthEnabled: boolean;
  PushUrl: string;
  TxTime: string;
  TxSecret: string;
  ExpireTime: string;
  RtmpPort: number | null;
}

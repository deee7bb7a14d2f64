/**
 * Response shapes of the management API in Tencent's field names (docs/api.md),
 * as the actions render them. Imports nothing: the dashboard type-checks this file as it is.
 */

/** CallbackDeliveryInfo: one event on its way to one URL. */
export interface CallbackDeliveryInfo {
  DeliveryId: string;
  EventId: string;
  TemplateId: number;
  Url: string;
  EventType: number;
  StreamName: string;
  Status: "pending" | "delivered" | "dead" | "disabled";
  Attempts: number;
  /** Pending deliveries only; otherwise "". */
  NextAttemptTime: string;
  LastError: string;
  CreateTime: string;
  UpdateTime: string;
}

/** CallbackAttemptInfo: one HTTP attempt. StatusCode is null when no response came. */
export interface CallbackAttemptInfo {
  Number: number;
  StartTime: string;
  DurationMs: number;
  StatusCode: number | null;
  ErrorCode: string;
  ErrorMessage: string;
  Request: string;
  Response: string;
}

/** DomainInfo as Tencent returns it; the CDN-only fields have fixed self-hosted values. */
export interface DomainInfo {
  Name: string;
  /** 0 push, 1 play. */
  Type: number;
  Status: number;
  CreateTime: string;
  BCName: number;
  TargetDomain: string;
  PlayType: number;
  IsDelayLive: number;
  CurrentCName: string;
  /** Tencent: "失效参数，可忽略" (obsolete, ignore): always 0 and "". */
  RentTag: number;
  RentExpireTime: string;
  IsMiniProgramLive: number;
}

/** CallBackTemplateInfo plus OnAir's extensions; unset URLs are "". */
export interface CallBackTemplateInfo {
  TemplateId: number;
  TemplateName: string;
  Description: string;
  /** StreamBeginNotifyUrl, StreamEndNotifyUrl… (Tencent's names). */
  [urlField: `${string}NotifyUrl`]: string;
  CallbackKey: string;
  RecordExceptionLevels: string[];
  /** The template's own delivery schedule; null = the server's `retryPreset`. */
  OnAirRetryPolicy: {
    MaxRetries: number;
    IntervalMs: number;
    TimeoutMs: number;
    Jitter: number;
  } | null;
  OnAirPerStreamOrdering: boolean;
}

/** One publish of DescribeLiveStreamEventList's EventList. */
export interface StreamEventInfo {
  AppName: string;
  DomainName: string;
  StreamName: string;
  StreamStartTime: string;
  StreamEndTime: string;
  /** `errcode: meaning`, or "" while live. */
  StopReason: string;
  /** Seconds. */
  Duration: number;
  ClientIp: string;
  /** `width*height`, or "" when unknown. */
  Resolution: string;
}

/** PushAuthKeyInfo; keys in clear, as Tencent returns them. */
export interface PushAuthKeyInfo {
  DomainName: string;
  Enable: number;
  MasterAuthKey: string;
  BackupAuthKey: string;
  AuthDelta: number;
}

/** PlayAuthKeyInfo (Tencent 267/30765); keys in clear, as Tencent returns them. */
export interface PlayAuthKeyInfo {
  DomainName: string;
  Enable: number;
  AuthKey: string;
  AuthDelta: number;
  AuthBackKey: string;
}

/** CallBackRuleInfo: a domain and AppName bound to a callback template. */
export interface CallBackRuleInfo {
  CreateTime: string;
  UpdateTime: string;
  TemplateId: number;
  DomainName: string;
  AppName: string;
}

/** RuleInfo of DescribeLiveRecordRules and DescribeLiveSnapshotRules ("" = any). */
export interface RuleInfo {
  TemplateId: number;
  DomainName: string;
  AppName: string;
  StreamName: string;
  CreateTime: string;
  UpdateTime: string;
}

/** Tencent's RecordParam as OnAir keeps it. */
export interface RecordParamInfo {
  RecordInterval: number;
  StorageTime: number;
  Enable: 0 | 1;
}

/** RecordTemplateInfo; a `<Format>Param` per configured format. */
export interface RecordTemplateInfo {
  TemplateId: number;
  TemplateName: string;
  Description: string;
  IsDelayLive: number;
  RemoveWatermark: boolean;
  CosStore: number;
  FlvParam?: RecordParamInfo;
  HlsParam?: RecordParamInfo;
  Mp4Param?: RecordParamInfo;
  AacParam?: RecordParamInfo;
  Mp3Param?: RecordParamInfo;
  HlsSpecialParam?: { FlowContinueDuration?: number };
  FlvSpecialParam?: { UploadInRecording?: boolean };
}

/** SnapshotTemplateInfo (docs/snapshots.md); the COS fields are stored, not used. */
export interface SnapshotTemplateInfo {
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
  CosPrefix: string | null;
  CosFileName: string | null;
}

/** SendLiveCallbackTest's answer (OnAir's own action, docs/alerts.md "Send a test callback"). */
export type SendLiveCallbackTestResult = {
  Url: string;
  EventType: number;
  /** The receiver answered HTTP 200. */
  Success: boolean;
  /** null when no answer came (refused, timed out, blocked by the SSRF guard). */
  StatusCode: number | null;
  DurationMs: number;
  /** The first 512 bytes of the receiver's body. */
  ResponseBody: string;
  ErrorCode: string;
  ErrorMessage: string;
  RequestBody: string;
};

/** One entry of DescribeCallbackEndpoints (OnAir's own action): a callback URL's health. */
export type CallbackEndpointInfo = {
  Url: string;
  Status: "healthy" | "failing" | "disabled";
  /** ISO time, "" when not failing. */
  FailingSince: string;
  DisabledTime: string;
  DisabledReason: string;
};

/** One live stream of DescribeLiveStreamPushInfoList's DataInfoList (Tencent's `PushDataInfo`). */
export interface PushDataInfo {
  StreamName: string;
  AppName: string;
  ClientIp: string;
  ServerIp: string;
  VideoFps: number;
  /** Bits per second. */
  VideoSpeed: number;
  AudioFps: number;
  AudioSpeed: number;
  PushDomain: string;
  /** `2019-06-21 00:29:12.252`, Beijing time. */
  BeginPushTime: string;
  Acodec: string;
  Vcodec: string;
  /** `1280*720`; `""` while unknown. */
  Resolution: string;
  AsampleRate: number;
  MetaAudioSpeed: number;
  MetaVideoSpeed: number;
  MetaFps: number;
}

/**
 * Response shapes of the actions the dashboard calls (field names as in docs/api.md). Those the
 * server types itself come from the server (type-only: nothing of it is bundled).
 */
import type { CallbackDeliveryInfo } from "../../server/src/dashboard/wire-types.js";

export type * from "../../server/src/dashboard/wire-types.js";
export type DeliveryStatus = CallbackDeliveryInfo["Status"];

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

export interface PushAuthKeyInfo {
  DomainName: string;
  Enable: number;
  MasterAuthKey: string;
  BackupAuthKey: string;
  AuthDelta: number;
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

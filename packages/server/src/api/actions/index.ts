import type { ApiAction } from "../action.js";
import {
  describeCallbackDeliveries,
  describeCallbackDeliveryAttempts,
  describeCallbackEndpoints,
  describeCallbackQueueStats,
  enableCallbackEndpoint,
  redeliverCallbacks,
} from "./callback-deliveries.js";
import { describeCallbackRecordsList } from "./callback-records.js";
import {
  createLiveCallbackRule,
  deleteLiveCallbackRule,
  describeLiveCallbackRules,
} from "./callback-rules.js";
import {
  createLiveCallbackTemplate,
  deleteLiveCallbackTemplate,
  describeLiveCallbackTemplate,
  describeLiveCallbackTemplates,
  modifyLiveCallbackTemplate,
} from "./callback-templates.js";
import { sendLiveCallbackTest } from "./callback-test.js";
import {
  createLiveForwardRule,
  deleteLiveForwardRule,
  describeLiveForwardRules,
  describeLiveForwardTargets,
} from "./forward-rules.js";
import {
  addLiveDomain,
  deleteLiveDomain,
  describeLiveDomain,
  describeLiveDomains,
  enableLiveDomain,
  forbidLiveDomain,
} from "./live-domains.js";
import {
  describeLiveStreamOnlineList,
  describeLiveStreamState,
  dropLiveStream,
  forbidLiveStream,
  resumeLiveStream,
} from "./live-streams.js";
import {
  createRecordTask,
  createScreenshotTask,
  recordTaskActions,
  screenshotTaskActions,
} from "./live-tasks.js";
import { describeLivePlayAuthKey, modifyLivePlayAuthKey } from "./play-auth-keys.js";
import {
  describeAllStreamPlayInfoList,
  describeLiveDomainPlayInfoList,
  describeStreamPlayInfoList,
} from "./play-info.js";
import { pullStreamTaskActions } from "./pull-stream-tasks.js";
import { describeLivePushAuthKey, modifyLivePushAuthKey } from "./push-auth-keys.js";
import { describeLiveStreamPushInfoList, describeStreamPushInfoList } from "./push-info.js";
import {
  createLiveRecordRule,
  createLiveRecordTemplate,
  deleteLiveRecordRule,
  describeLiveRecordRules,
  modifyLiveRecordTemplate,
  recordTemplateReads,
} from "./record-templates.js";
import {
  createLiveSnapshotRule,
  createLiveSnapshotTemplate,
  deleteLiveSnapshotRule,
  describeLiveSnapshotRules,
  modifyLiveSnapshotTemplate,
  snapshotTemplateReads,
} from "./snapshot-templates.js";
import { describeLiveStreamEventList, describeLiveStreamPublishedList } from "./stream-history.js";

/** Every action of the management API, by `X-TC-Action` name. */
export const API_ACTIONS: ReadonlyMap<string, ApiAction> = new Map(
  [
    createLiveCallbackTemplate,
    describeLiveCallbackTemplates,
    describeLiveCallbackTemplate,
    modifyLiveCallbackTemplate,
    deleteLiveCallbackTemplate,
    sendLiveCallbackTest,
    createLiveCallbackRule,
    describeLiveCallbackRules,
    deleteLiveCallbackRule,
    addLiveDomain,
    describeLiveDomains,
    describeLiveDomain,
    deleteLiveDomain,
    forbidLiveDomain,
    enableLiveDomain,
    modifyLivePushAuthKey,
    describeLivePushAuthKey,
    modifyLivePlayAuthKey,
    describeLivePlayAuthKey,
    describeStreamPlayInfoList,
    describeAllStreamPlayInfoList,
    describeLiveDomainPlayInfoList,
    describeCallbackRecordsList,
    describeCallbackDeliveries,
    describeCallbackDeliveryAttempts,
    redeliverCallbacks,
    describeCallbackEndpoints,
    enableCallbackEndpoint,
    describeCallbackQueueStats,
    describeLiveStreamOnlineList,
    describeLiveStreamState,
    dropLiveStream,
    forbidLiveStream,
    resumeLiveStream,
    describeLiveStreamEventList,
    describeLiveStreamPushInfoList,
    describeStreamPushInfoList,
    describeLiveStreamPublishedList,
    createLiveRecordTemplate,
    modifyLiveRecordTemplate,
    ...recordTemplateReads,
    createLiveRecordRule,
    describeLiveRecordRules,
    deleteLiveRecordRule,
    createLiveSnapshotTemplate,
    modifyLiveSnapshotTemplate,
    ...snapshotTemplateReads,
    createLiveSnapshotRule,
    describeLiveSnapshotRules,
    deleteLiveSnapshotRule,
    createRecordTask,
    ...recordTaskActions,
    createScreenshotTask,
    ...screenshotTaskActions,
    createLiveForwardRule,
    describeLiveForwardRules,
    deleteLiveForwardRule,
    describeLiveForwardTargets,
    ...pullStreamTaskActions,
  ].map((action) => [action.name, action]),
);

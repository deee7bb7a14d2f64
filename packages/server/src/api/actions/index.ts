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
  addLiveDomain,
  deleteLiveDomain,
  describeLiveDomain,
  describeLiveDomains,
} from "./live-domains.js";
import {
  describeLiveStreamEventList,
  describeLiveStreamOnlineList,
  describeLiveStreamState,
  dropLiveStream,
  forbidLiveStream,
  resumeLiveStream,
} from "./live-streams.js";
import { describeLivePushAuthKey, modifyLivePushAuthKey } from "./push-auth-keys.js";
import {
  createLiveRecordRule,
  createLiveRecordTemplate,
  deleteLiveRecordRule,
  describeLiveRecordRules,
  recordTemplateReads,
} from "./record-templates.js";
import {
  createLiveSnapshotRule,
  createLiveSnapshotTemplate,
  deleteLiveSnapshotRule,
  describeLiveSnapshotRules,
  snapshotTemplateReads,
} from "./snapshot-templates.js";

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
    modifyLivePushAuthKey,
    describeLivePushAuthKey,
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
    createLiveRecordTemplate,
    ...recordTemplateReads,
    createLiveRecordRule,
    describeLiveRecordRules,
    deleteLiveRecordRule,
    createLiveSnapshotTemplate,
    ...snapshotTemplateReads,
    createLiveSnapshotRule,
    describeLiveSnapshotRules,
    deleteLiveSnapshotRule,
  ].map((action) => [action.name, action]),
);

import {
  buildInterruptionEvent,
  buildPornDetectionEvent,
  buildPushEvent,
  buildRecordFileEvent,
  buildSnapshotEvent,
  type PublishFacts,
  signPushUrl,
} from "@onair/callbacks";
import type { StreamKey } from "../domain/stream-key.js";

/** The event kinds `onair trigger` sends; `session` is a whole publish. */
export const TRIGGER_KINDS = [
  "push",
  "interrupt",
  "record",
  "snapshot",
  "porn",
  "session",
] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** Where the sample events happen. */
export interface SampleStream extends StreamKey {
  appid: number;
  /** The interruption's errcode. */
  errcode: number;
  /** Signs the sample push URL in `stream_param`. */
  key: string;
}

/** One event to send: a label for the output and the body without `t`/`sign`. */
export interface PlannedEvent {
  label: string;
  body: Readonly<Record<string, unknown>>;
}

/** Length of the publish a sample describes: it started this long before `nowMs` and ends now. */
const SESSION_MS = 60_000;

const pad = (n: number) => String(n).padStart(2, "0");
const day = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const hms = (d: Date, sep: string) =>
  [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map(pad).join(sep);

/**
 * The bodies of one `onair trigger` run, built with the same builders OnAir's server uses, so
 * every field and JSON type matches Tencent's samples (Tencent 267/47025). Ids and time come in as inputs: the plan
 * itself is deterministic.
 */
export function planEvents(
  kind: TriggerKind,
  s: SampleStream,
  ids: { nowMs: number; sequence: string; fileId: string },
): PlannedEvent[] {
  const startMs = ids.nowMs - SESSION_MS;
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const { txSecret, txTime } = signPushUrl({
    key: s.key,
    streamName: s.streamName,
    expiresAt: seconds(ids.nowMs) + 86_400,
  });
  const streamParam = `txSecret=${txSecret}&txTime=${txTime}`;
  const common = { appid: s.appid, app: s.domainName, appname: s.appName, stream_id: s.streamName };
  const publish = (atMs: number): PublishFacts => ({
    ...common,
    event_time: seconds(atMs),
    sequence: ids.sequence,
    node: "127.0.0.1",
    user_ip: "127.0.0.1",
    stream_param: streamParam,
    set_id: 2,
    idc_id: 34,
  });
  const snapshotBase = `http://${s.domainName}/snapshots`;
  const snapshot = (atMs: number): PlannedEvent => {
    const at = new Date(atMs);
    return {
      label: "snapshot",
      body: buildSnapshotEvent({
        ...common,
        stream_param: streamParam,
        create_time: seconds(atMs),
        file_size: 48_213,
        width: 1280,
        height: 720,
        pic_url: `/${day(at)}/${s.streamName}-screenshot-${hms(at, "-")}-1280x720.jpg`,
        baseUrl: snapshotBase,
      }),
    };
  };
  const push: PlannedEvent = { label: "push", body: buildPushEvent(publish(startMs)) };
  const interrupt: PlannedEvent = {
    label: "interruption",
    body: buildInterruptionEvent({
      ...publish(ids.nowMs),
      errcode: s.errcode,
      pushDurationMs: SESSION_MS,
    }),
  };
  const start = new Date(startMs);
  const record: PlannedEvent = {
    label: "record-file",
    body: buildRecordFileEvent({
      ...common,
      stream_param: streamParam,
      file_id: ids.fileId,
      file_format: "flv",
      task_id: ids.sequence,
      startedAtMs: startMs,
      endedAtMs: ids.nowMs,
      durationSeconds: SESSION_MS / 1000,
      file_size: 9_437_184,
      video_url: `http://${s.domainName}/recordings/${s.appName}/${s.streamName}/${s.streamName}_${day(start).replaceAll("-", "")}${hms(start, "")}.flv`,
      media_start_time: 0,
      videoCodec: "h264",
      resolution: "1280x720",
    }),
  };
  switch (kind) {
    case "push":
      return [{ label: "push", body: buildPushEvent(publish(ids.nowMs)) }];
    case "interrupt":
      return [interrupt];
    case "record":
      return [record];
    case "snapshot":
      return [snapshot(ids.nowMs)];
    case "porn": {
      const shot = snapshot(ids.nowMs).body;
      return [
        {
          label: "porn-detection",
          body: buildPornDetectionEvent({
            ...common,
            stream_param: streamParam,
            img: String(shot.pic_full_url),
            screenshotTime: seconds(ids.nowMs),
            sendTime: seconds(ids.nowMs),
            label: "Porn",
            subLabel: "SexyBehavior",
            score: 97,
            suggestion: "Block",
            labelResults: [
              {
                Scene: "Porn",
                Label: "Porn",
                SubLabel: "SexyBehavior",
                Score: 97,
                Suggestion: "Block",
              },
              { Scene: "Normal", Label: "Normal", SubLabel: "", Score: 3, Suggestion: "Pass" },
            ],
          }),
        },
      ];
    }
    case "session":
      return [push, snapshot(startMs + 20_000), snapshot(startMs + 40_000), record, interrupt];
  }
}

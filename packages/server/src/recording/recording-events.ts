import { rm } from "node:fs/promises";
import { relative } from "node:path";
import {
  buildRecordExceptionEvent,
  buildRecordFileEvent,
  buildRecordStatusEvent,
  type RecordExceptionCode,
  type RecordExceptionLevel,
} from "@onair/callbacks";
import type { StreamConsumerDeps } from "../events/stream-consumer-deps.js";
import type { PublishedStream } from "../media/published-stream.js";
import type { FinishedSegment } from "./flv-segment-recorder.js";
import type { SegmentFacts } from "./sidecar.js";

export type RecordFormat = "flv" | "mp4" | "hls" | "aac" | "mp3";
export type RecordStatus =
  | "record_start_succeeded"
  | "record_start_failed"
  | "record_error"
  | "record_ended";

export type RecordingEventDeps = Pick<
  StreamConsumerDeps,
  "store" | "commit" | "config" | "clock" | "logger" | "filesDir" | "publicBaseUrl" | "fileUrlQuery"
> & {
  /** Counts failures by format (Prometheus). */
  onFailure?: (format: RecordFormat) => void;
};

/**
 * The recording callbacks, with what OnAir really observed (docs/recording.md): a finished file
 * (`EventType.RecordFile`), a recording's status (`RecordStatus`) and its exceptions
 * (`RecordException`).
 */
export function createRecordingEvents(deps: RecordingEventDeps): RecordingEvents {
  const unixNow = () => Math.floor(deps.clock.now().getTime() / 1000);
  const where = (facts: SegmentFacts) => ({
    domainName: facts.domainName,
    appName: facts.appName,
    streamId: facts.streamName,
    source: "ingest" as const,
  });

  async function status(
    facts: SegmentFacts,
    format: RecordFormat,
    event: RecordStatus,
    seq: number,
  ) {
    await deps.commit({
      body: buildRecordStatusEvent({
        appid: deps.config.appid,
        appname: facts.appName,
        domain: facts.domainName,
        stream_id: facts.streamName,
        event_time: unixNow(),
        record_event: event,
        session_id: `${facts.taskId}-${format}`,
        seq: String(seq),
        file_format: format,
        ...(facts.apiTask ? { task_id: facts.taskId } : {}),
      }),
      ...where(facts),
    });
  }

  return {
    /**
     * The same callbacks as callbacks of `publish`: each committed only once its push (event 1)
     * is (`pushed`), and tied to it by its `sequence`, so the dispatcher delivers none of them
     * before the push is delivered or dead. A receiver never gets a 332, 341 or 100 first.
     */
    of(publish) {
      return createRecordingEvents({
        ...deps,
        commit: async (input) => {
          await publish.pushed;
          return deps.commit({ ...input, publishSequence: publish.sequence });
        },
      });
    },

    /**
     * The status callbacks of one recording (one format of one publish), numbered from 1. They
     * never fail the recording: a callback that cannot be committed is logged.
     */
    statusReporter(
      facts: SegmentFacts,
      format: RecordFormat,
    ): (event: RecordStatus) => Promise<void> {
      let seq = 0;
      return (event) =>
        status(facts, format, event, ++seq).catch((err: unknown) =>
          deps.logger.error({ err }, "status callback failed"),
        );
    },

    async exception(facts, format, type, desc, level = "error") {
      deps.onFailure?.(format);
      await deps.commit({
        body: buildRecordExceptionEvent({
          appid: deps.config.appid,
          domain: facts.domainName,
          path: facts.appName,
          stream_id: facts.streamName,
          session_id: `${facts.taskId}-${format}`,
          file_format: format,
          timestamp: unixNow(),
          exception_level: level,
          exception: { type, occurs: 1, desc },
        }),
        ...where(facts),
      });
    },

    /** Reports a finished file, records it for the retention sweep and drops its sidecar. */
    async reportFile(path, facts, segment, format = "flv") {
      const filePath = relative(deps.filesDir, path).split("\\").join("/");
      // Signed: receivers fetch it with the URL alone (docs/recording.md, "Fetching files").
      const url = `${deps.publicBaseUrl()}/files/${filePath}${deps.fileUrlQuery(filePath)}`;
      await deps.commit({
        body: buildRecordFileEvent({
          appid: deps.config.appid,
          app: facts.domainName,
          appname: facts.appName,
          stream_id: facts.streamName,
          ...(facts.apiTask ? {} : { stream_param: facts.streamParam }),
          file_id: facts.fileId,
          file_format: format,
          task_id: facts.taskId,
          startedAtMs: segment.startedAtMs,
          endedAtMs: segment.endedAtMs,
          durationSeconds: segment.durationMs / 1000,
          file_size: segment.fileSize,
          video_url: url,
          media_start_time: segment.mediaStartMs ?? facts.mediaStartMs ?? 0,
          record_temp_id: String(facts.templateId),
          videoCodec: facts.videoCodec,
          resolution: facts.resolution,
        }),
        ...where(facts),
      });
      const keep = facts.storageSeconds ?? 0;
      await deps.store.recording.addFile({
        path: relative(deps.filesDir, path),
        format,
        expiresAt: keep > 0 ? new Date(segment.endedAtMs + keep * 1000) : null,
      });
      await rm(`${path}.json`, { force: true });
    },
  };
}

export interface RecordingEvents {
  of(publish: Pick<PublishedStream, "pushed" | "sequence">): RecordingEvents;
  statusReporter(facts: SegmentFacts, format: RecordFormat): (event: RecordStatus) => Promise<void>;
  /** A 341 with one of Tencent's negative codes (267/68622). */
  exception(
    facts: SegmentFacts,
    format: RecordFormat,
    type: RecordExceptionCode,
    desc: string,
    level?: RecordExceptionLevel,
  ): Promise<void>;
  /** `mediaStartMs` of the segment, else of the facts (a sidecar's), else 0. */
  reportFile(
    path: string,
    facts: SegmentFacts,
    segment: Omit<FinishedSegment, "path" | "mediaStartMs"> & { mediaStartMs?: number },
    format?: RecordFormat,
  ): Promise<void>;
}

import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { RecordExceptionType } from "@onair/callbacks";
import { streamKeyText } from "../domain/stream-key.js";
import type { StreamConsumerDeps } from "../events/stream-consumer-deps.js";
import type { TagSink } from "../media/media-fanout.js";
import type { PublishedStream } from "../media/published-stream.js";
import type {
  RecordFormat as RecordParamName,
  RecordTemplate,
} from "../store/recording-repository.js";
import { matchStreamRule } from "../store/stream-rules.js";
import { type FfmpegFormat, FfmpegRecorder, isAudioOnly } from "./ffmpeg-recorder.js";
import { FlvSegmentRecorder } from "./flv-segment-recorder.js";
import type { RecordingEvents } from "./recording-events.js";
import {
  exists,
  type FfmpegSession,
  fileStamp,
  newFileId,
  SESSION_SUFFIX,
  type SegmentFacts,
  writeSidecar,
} from "./sidecar.js";

/** A template's formats recorded through ffmpeg, and Tencent's `file_format` of each. */
const FFMPEG_FORMATS = [
  ["Mp4", "mp4"],
  ["Hls", "hls"],
  ["Aac", "aac"],
  ["Mp3", "mp3"],
] as const satisfies readonly (readonly [RecordParamName, FfmpegFormat])[];
const FORMATS: readonly RecordParamName[] = ["Flv", ...FFMPEG_FORMATS.map(([param]) => param)];

/**
 * Subscribes `sink` until the publish ends or the returned function is called, which ends the
 * sink early; `onEnd` reaches it once either way.
 */
function subscribeUntilStopped(stream: PublishedStream, sink: TagSink): () => void {
  let ended = false;
  const unsubscribe = stream.subscribe({
    onTag: (tag) => sink.onTag(tag),
    onEnd: () => {
      ended = true;
      sink.onEnd();
    },
  });
  return () => {
    unsubscribe();
    if (ended) return;
    ended = true;
    sink.onEnd();
  };
}

/**
 * Starts the recorders a publish's most specific record rule asks for: FLV natively from the tag
 * stream (one sidecar per file), MP4, HLS, AAC and MP3 through ffmpeg (one session file per
 * recording), so crash recovery can report what a crash cut short (docs/recording.md).
 */
export function createRecorderAttacher(
  deps: Pick<StreamConsumerDeps, "store" | "config" | "clock" | "logger"> & {
    recordDir: string;
    callbacks: RecordingEvents;
    /** Finishes a file whose writes failed as crash recovery would; true when reported. */
    recoverFlv: (sidecar: string) => Promise<boolean>;
  },
) {
  const active = new Set<{ finished: Promise<void> }>();

  function track(recorder: { finished: Promise<void> }, onFinished: () => Promise<void>): void {
    active.add(recorder);
    void recorder.finished.then(async () => {
      await onFinished();
      active.delete(recorder);
    });
  }

  /** MP4, HLS, AAC or MP3 through ffmpeg; reported without a sidecar (see docs/recording.md). */
  function attachFfmpeg(
    stream: PublishedStream,
    format: FfmpegFormat,
    param: { RecordInterval: number; StorageTime: number },
    base: SegmentFacts,
    dir: string,
    stem: string,
  ) {
    const storageSeconds = param.StorageTime;
    const audioOnly = isAudioOnly(format);
    const callbacks = deps.callbacks.of(stream);
    const emitStatus = callbacks.statusReporter(base, format);
    const startedAtMs = deps.clock.now().getTime();
    let failed = false;
    const baseName = `${stem}_${fileStamp(startedAtMs)}`;
    // Until ffmpeg's files are all reported: after a crash, recovery reports what is left.
    const session: FfmpegSession = { ...base, storageSeconds, format, baseName, startedAtMs };
    const sessionFile = join(dir, `${baseName}.${format}${SESSION_SUFFIX}`);
    const saveSession = () =>
      writeSidecar(sessionFile, session).catch((err: unknown) =>
        deps.logger.error(
          { file: sessionFile, code: (err as NodeJS.ErrnoException).code },
          "could not write a recording session file",
        ),
      );
    // Saved again when ffmpeg starts (with mediaStartMs); removed only after the last save.
    let saved = saveSession();
    const recorder = new FfmpegRecorder({
      format,
      dir,
      baseName,
      intervalSeconds: param.RecordInterval,
      ffmpegPath: deps.config.recording.ffmpegPath,
      maxQueuedBytes: deps.config.recording.maxQueuedBytes,
      logger: deps.logger,
      onStart: (mediaStartMs) => {
        session.mediaStartMs = mediaStartMs;
        saved = saved.then(saveSession);
        void emitStatus("record_start_succeeded");
      },
      onFile: async (file) => {
        await callbacks.reportFile(
          file.path,
          {
            ...base,
            fileId: newFileId(startedAtMs),
            storageSeconds,
            // An audio-only file has no picture: its callback_ext names no video codec or size.
            ...(audioOnly ? {} : videoFacts(stream)),
          },
          {
            startedAtMs: startedAtMs + file.startSeconds * 1000,
            endedAtMs: startedAtMs + file.endSeconds * 1000,
            durationMs: (file.endSeconds - file.startSeconds) * 1000,
            fileSize: file.sizeBytes,
            mediaStartMs: file.mediaStartMs,
          },
          format,
        );
      },
      onFailure: (reason) => {
        failed = true;
        deps.logger.error({ stream: base.streamName, format, reason }, "recording failed");
        void emitStatus("record_error");
        void callbacks
          .exception(base, format, RecordExceptionType.WriteFailed, reason)
          .catch(() => undefined);
      },
    });
    track(recorder, async () => {
      await saved;
      await rm(sessionFile, { force: true });
      if (recorder.mediaStartMs === null) {
        // Nothing to record: no file, no callback (an AAC or MP3 template on a video-only push).
        deps.logger.warn(
          { stream: streamKeyText(stream.key), format },
          audioOnly
            ? "the publish had no audio: no audio-only recording made"
            : "the publish had no keyframe: no recording made",
        );
      } else if (!failed) await emitStatus("record_ended");
    });
    return subscribeUntilStopped(stream, recorder);
  }

  /** FLV natively: each file is written as `….part` beside its sidecar. */
  function attachFlv(
    stream: PublishedStream,
    flv: { RecordInterval: number; StorageTime: number },
    base: SegmentFacts,
    dir: string,
    stem: string,
  ) {
    let files = 0;
    const sidecars = new Map<string, SegmentFacts>();
    const callbacks = deps.callbacks.of(stream);
    const flvStatus = callbacks.statusReporter(base, "flv");
    const recorder = new FlvSegmentRecorder({
      intervalMs: flv.RecordInterval * 1000,
      maxQueuedBytes: deps.config.recording.maxQueuedBytes,
      now: () => deps.clock.now().getTime(),
      logger: deps.logger,
      nextTarget: (startedAtMs, mediaStartMs) => {
        const path = join(dir, `${stem}_${fileStamp(startedAtMs)}_${++files}.flv`);
        const facts: SegmentFacts = {
          ...base,
          fileId: newFileId(startedAtMs),
          startedAtMs,
          storageSeconds: flv.StorageTime,
          mediaStartMs,
          ...videoFacts(stream),
        };
        // The .part file is opened only once this is written: a crash always finds its facts.
        const ready = writeSidecar(`${path}.json`, facts);
        sidecars.set(path, facts);
        return { path, partPath: `${path}.part`, ready };
      },
      onFailure: (reason) => {
        void flvStatus("record_error");
        void callbacks
          .exception(base, "flv", RecordExceptionType.WriteFailed, reason)
          .catch((err: unknown) => deps.logger.error({ err }, "exception callback failed"));
      },
      // A file whose writes failed (disk full) is finished now as crash recovery would (cut to
      // its last complete tag, reported); if that fails too, the next start does it.
      onAbandoned: async (target) => {
        sidecars.delete(target.path);
        if (!(await exists(`${target.path}.json`))) return;
        await deps
          .recoverFlv(`${target.path}.json`)
          .catch((err: unknown) =>
            deps.logger.warn(
              { file: target.partPath, code: (err as NodeJS.ErrnoException).code },
              "recording left for recovery at the next start",
            ),
          );
      },
      onSegment: async (segment) => {
        const facts = sidecars.get(segment.path);
        sidecars.delete(segment.path);
        if (facts) await callbacks.reportFile(segment.path, facts, segment);
      },
    });
    void flvStatus("record_start_succeeded");
    track(recorder, () => flvStatus("record_ended"));
    return subscribeUntilStopped(stream, recorder);
  }

  /**
   * Records `stream` with `template`'s enabled formats until the publish ends or the returned
   * function is called (a task's EndTime or StopRecordTask); null when nothing is enabled or the
   * publish already ended.
   */
  async function record(
    stream: PublishedStream,
    template: Pick<RecordTemplate, "id" | "params">,
    task?: { id: string },
  ): Promise<(() => void) | null> {
    const key = stream.key;
    const enabled = FORMATS.filter((f) => template.params[f]?.Enable === 1);
    if (enabled.length === 0) return null;
    const dir = join(deps.recordDir, key.domainName, key.appName, key.streamName);
    await mkdir(dir, { recursive: true });
    // The lookups are async: a publish that ended meanwhile has nothing to record.
    if (stream.closed) return null;
    const base: SegmentFacts = {
      ...key,
      streamParam: stream.streamParam,
      templateId: template.id,
      taskId: task?.id ?? stream.sequence,
      ...(task ? { apiTask: true } : {}),
      fileId: "",
      startedAtMs: deps.clock.now().getTime(),
    };
    // A task's files are named apart from a rule's recording of the same stream and second.
    const stem = task ? `${key.streamName}_${task.id}` : key.streamName;
    const stops: (() => void)[] = [];
    for (const [param, format] of FFMPEG_FORMATS) {
      const p = template.params[param];
      if (p?.Enable === 1) stops.push(attachFfmpeg(stream, format, p, base, dir, stem));
    }
    const flv = template.params.Flv;
    if (flv?.Enable === 1) stops.push(attachFlv(stream, flv, base, dir, stem));
    deps.logger.info(
      { stream: streamKeyText(key), template: template.id, task: task?.id },
      "recording started",
    );
    return () => {
      for (const stop of stops) stop();
    };
  }

  return {
    /** Starts recording `stream` if a rule asks for it. */
    async attach(stream: PublishedStream): Promise<void> {
      const rule = matchStreamRule(await deps.store.recording.listRules(), stream.key);
      const template = rule ? await deps.store.recording.getTemplate(rule.templateId) : null;
      if (template) await record(stream, template);
    },

    record,

    /** Waits for the recorders of ended publishes to finish their files. */
    async drain(): Promise<void> {
      await Promise.allSettled([...active].map((r) => r.finished));
    },
  };
}

/** The stream's codec and size for `callback_ext`, as far as its sequence header told them. */
function videoFacts(stream: PublishedStream): Pick<SegmentFacts, "videoCodec" | "resolution"> {
  return {
    ...(stream.videoCodec ? { videoCodec: stream.videoCodec } : {}),
    ...(stream.width > 0 ? { resolution: `${stream.width}x${stream.height}` } : {}),
  };
}

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import {
  buildRecordExceptionEvent,
  buildRecordFileEvent,
  buildRecordStatusEvent,
} from "@onair/callbacks";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { streamKeyText } from "../domain/stream-key.js";
import type { EventInput } from "../events/event-committer.js";
import type { Store } from "../store/store.js";
import { matchStreamRule } from "../store/stream-rules.js";
import type { LivePublish } from "../streams/live-publish.js";
import { writeFileAtomic } from "./atomic-write.js";
import { FfmpegRecorder } from "./ffmpeg-recorder.js";
import { scanFlv } from "./flv-format.js";
import { type FinishedSegment, FlvSegmentRecorder } from "./flv-segment-recorder.js";

/** An ffmpeg (MP4 or HLS) recording in progress, as its session file keeps it. */
interface FfmpegSession extends SegmentFacts {
  format: "mp4" | "hls";
  baseName: string;
  storageSeconds: number;
}

const SESSION_SUFFIX = ".session.json";

/** What a file's sidecar keeps, so a file cut short by a crash can still be reported. */
interface SegmentFacts {
  domainName: string;
  appName: string;
  streamName: string;
  streamParam: string;
  templateId: number;
  taskId: string;
  fileId: string;
  startedAtMs: number;
  /** The format's StorageTime in seconds (0: keep forever). */
  storageSeconds?: number;
}

/**
 * Recording (event_type 100). When a publish starts, the most specific record rule picks a
 * template; with FlvParam enabled, an FLV recorder subscribes to the publish's tag stream. Each
 * finished file is reported with the seeds' fields, its `video_url` under `/files/`.
 *
 * Every file has a JSON sidecar until its event is committed. At start-up, `recover()` finishes
 * what a crash left: a `.part` file is cut to its last complete tag, synced, renamed and reported;
 * a finished file whose event was never committed is reported.
 */
export function createRecordingService(deps: {
  store: Store;
  commit: (input: EventInput) => Promise<unknown>;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  /** Root of what `/files/` serves. */
  filesDir: string;
  /** `http://host:port` the files are reachable at. */
  publicBaseUrl: () => string;
  /** The `?expires=&sig=` for a path under `/files/` ("" when files are public). */
  fileUrlQuery: (path: string) => string;
  /** Counts failures by format (Prometheus). */
  onFailure?: (format: "flv" | "mp4" | "hls") => void;
}) {
  const recordDir = join(deps.filesDir, "record");
  const active = new Set<{ finished: Promise<void> }>();
  let sweeper: NodeJS.Timeout | undefined;

  /** Recording status (332) and exception (341) callbacks: what OnAir really observed. */
  async function status(
    facts: SegmentFacts,
    format: "flv" | "mp4" | "hls",
    recordEvent: "record_start_succeeded" | "record_start_failed" | "record_error" | "record_ended",
    seq: number,
  ) {
    await deps.commit({
      body: buildRecordStatusEvent({
        appid: deps.config.appid,
        appname: facts.appName,
        domain: facts.domainName,
        stream_id: facts.streamName,
        event_time: Math.floor(deps.clock.now().getTime() / 1000),
        record_event: recordEvent,
        session_id: `${facts.taskId}-${format}`,
        seq: String(seq),
        file_format: format,
      }) as EventInput["body"],
      domainName: facts.domainName,
      appName: facts.appName,
      streamId: facts.streamName,
      source: "ingest",
    });
  }

  async function exception(
    facts: SegmentFacts,
    format: "flv" | "mp4" | "hls",
    type: number,
    desc: string,
  ) {
    deps.onFailure?.(format);
    await deps.commit({
      body: buildRecordExceptionEvent({
        appid: deps.config.appid,
        domain: facts.domainName,
        path: facts.appName,
        stream_id: facts.streamName,
        session_id: `${facts.taskId}-${format}`,
        file_format: format,
        timestamp: Math.floor(deps.clock.now().getTime() / 1000),
        exception_level: "error",
        exception: { type, occurs: 1, desc },
      }) as EventInput["body"],
      domainName: facts.domainName,
      appName: facts.appName,
      streamId: facts.streamName,
      source: "ingest",
    });
  }

  /** MP4 or HLS through ffmpeg; reported without a sidecar (see docs/recording.md). */
  function attachFfmpeg(
    publish: LivePublish,
    format: "mp4" | "hls",
    param: { RecordInterval: number; StorageTime: number },
    base: SegmentFacts,
    dir: string,
  ) {
    const intervalSeconds = param.RecordInterval;
    const storageSeconds = param.StorageTime;
    let seq = 0;
    const emitStatus = (event: Parameters<typeof status>[2]) =>
      status(base, format, event, ++seq).catch((err: unknown) =>
        deps.logger.error({ err }, "status callback failed"),
      );
    const startedAtMs = deps.clock.now().getTime();
    let failed = false;
    const baseName = `${base.streamName}_${fileStamp(startedAtMs)}`;
    // Until ffmpeg's files are all reported: after a crash, recover() reports what is left.
    const session: FfmpegSession = { ...base, storageSeconds, format, baseName, startedAtMs };
    const sessionFile = join(dir, `${baseName}.${format}${SESSION_SUFFIX}`);
    void writeFileAtomic(sessionFile, JSON.stringify(session)).catch((err: unknown) =>
      deps.logger.error(
        { file: sessionFile, code: (err as NodeJS.ErrnoException).code },
        "could not write a recording session file",
      ),
    );
    const recorder = new FfmpegRecorder({
      format,
      dir,
      baseName,
      intervalSeconds,
      ffmpegPath: deps.config.recording.ffmpegPath,
      maxQueuedBytes: deps.config.recording.maxQueuedBytes,
      logger: deps.logger,
      onFile: async (file) => {
        const fileId = `${fileStamp(startedAtMs)}${randomBytes(4).toString("hex")}`;
        await report(
          file.path,
          { ...base, fileId, storageSeconds },
          {
            startedAtMs: startedAtMs + file.startSeconds * 1000,
            endedAtMs: startedAtMs + file.endSeconds * 1000,
            durationMs: (file.endSeconds - file.startSeconds) * 1000,
            fileSize: file.sizeBytes,
          },
          format,
        );
      },
      onFailure: (reason) => {
        failed = true;
        deps.logger.error({ stream: base.streamName, format, reason }, "recording failed");
        void emitStatus("record_error");
        void exception(base, format, 1, reason).catch(() => undefined);
      },
    });
    void emitStatus("record_start_succeeded");
    active.add(recorder);
    void recorder.finished.then(async () => {
      await rm(sessionFile, { force: true });
      if (!failed) await emitStatus("record_ended");
      active.delete(recorder);
    });
    publish.fanout.subscribe(recorder);
  }

  async function report(
    path: string,
    facts: SegmentFacts,
    segment: Omit<FinishedSegment, "path">,
    format: "flv" | "mp4" | "hls" = "flv",
  ) {
    const filePath = relative(deps.filesDir, path).split("\\").join("/");
    // Signed: receivers fetch it with the URL alone (docs/recording.md, "Fetching files").
    const url = `${deps.publicBaseUrl()}/files/${filePath}${deps.fileUrlQuery(filePath)}`;
    await deps.commit({
      body: buildRecordFileEvent({
        appid: deps.config.appid,
        app: facts.domainName,
        appname: facts.appName,
        stream_id: facts.streamName,
        stream_param: facts.streamParam,
        file_id: facts.fileId,
        file_format: format,
        task_id: facts.taskId,
        startedAtMs: segment.startedAtMs,
        endedAtMs: segment.endedAtMs,
        durationSeconds: segment.durationMs / 1000,
        file_size: segment.fileSize,
        video_url: url,
        media_start_time: 0,
        record_temp_id: String(facts.templateId),
      }) as EventInput["body"],
      domainName: facts.domainName,
      appName: facts.appName,
      streamId: facts.streamName,
      source: "ingest",
    });
    const keep = facts.storageSeconds ?? 0;
    await deps.store.recording.addFile({
      path: relative(deps.filesDir, path),
      format,
      expiresAt: keep > 0 ? new Date(segment.endedAtMs + keep * 1000) : null,
    });
    await rm(`${path}.json`, { force: true });
  }

  /** Deletes files whose StorageTime ran out; an HLS playlist takes its segments with it. */
  async function sweep(): Promise<number> {
    let removed = 0;
    for (;;) {
      const expired = await deps.store.recording.takeExpiredFiles(deps.clock.now(), 100);
      for (const file of expired) {
        const path = join(deps.filesDir, file.path);
        if (file.format === "hls") {
          const playlist = await readFile(path, "utf8").catch(() => "");
          for (const line of playlist.split("\n")) {
            if (line.trim() && !line.startsWith("#"))
              await rm(join(path, "..", line.trim()), { force: true });
          }
        }
        await rm(path, { force: true });
        removed++;
      }
      if (expired.length < 100) return removed;
    }
  }

  /**
   * MP4/HLS recordings of a crashed node: its ffmpeg children saw their stdin close and finished
   * the files, which were never reported. Each file not reported yet is reported now (an HLS
   * playlist gets its missing end tag first).
   */
  async function recoverFfmpegSessions(): Promise<number> {
    let recovered = 0;
    for (const sessionFile of await findFiles(recordDir, SESSION_SUFFIX)) {
      try {
        recovered += await recoverFfmpegSession(sessionFile);
      } catch (err) {
        deps.logger.error({ err, file: sessionFile }, "could not recover a recording");
      }
    }
    return recovered;
  }

  /** The unreported files of one MP4/HLS session; how many were reported. */
  async function recoverFfmpegSession(sessionFile: string): Promise<number> {
    let recovered = 0;
    const session = await readFacts<FfmpegSession>(sessionFile);
    if (!session) {
      await quarantine(sessionFile);
      return 0;
    }
    const dir = dirname(sessionFile);
    const names = (await readdir(dir))
      .filter((name) =>
        session.format === "mp4"
          ? name.startsWith(`${session.baseName}_`) && name.endsWith(".mp4")
          : name === `${session.baseName}.m3u8`,
      )
      .sort();
    for (const name of names) {
      const path = join(dir, name);
      if (await deps.store.recording.hasFile(relative(deps.filesDir, path))) continue;
      const { durationSeconds, sizeBytes } =
        session.format === "hls" ? await closePlaylist(path) : await probeFile(path);
      const endedAtMs = (await stat(path)).mtimeMs;
      const fileId = `${fileStamp(session.startedAtMs)}${randomBytes(4).toString("hex")}`;
      await report(
        path,
        { ...session, fileId },
        {
          startedAtMs: endedAtMs - durationSeconds * 1000,
          endedAtMs,
          durationMs: durationSeconds * 1000,
          fileSize: sizeBytes,
        },
        session.format,
      );
      deps.logger.warn({ file: path }, "recording recovered after a crash");
      recovered++;
    }
    await rm(sessionFile, { force: true });
    return recovered;
  }

  /** Duration (ffprobe) and size of an MP4 ffmpeg closed; 0 s when ffprobe cannot say. */
  async function probeFile(path: string): Promise<{ durationSeconds: number; sizeBytes: number }> {
    const sizeBytes = (await stat(path)).size;
    const durationSeconds = await new Promise<number>((resolve) => {
      execFile(
        deps.config.recording.ffprobePath,
        ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        (err, stdout) => resolve(err ? 0 : Number.parseFloat(stdout) || 0),
      );
    });
    return { durationSeconds, sizeBytes };
  }

  /** Ends an HLS playlist a crash left open; its duration and its segments' size. */
  async function closePlaylist(
    path: string,
  ): Promise<{ durationSeconds: number; sizeBytes: number }> {
    let playlist = await readFile(path, "utf8");
    if (!playlist.includes("#EXT-X-ENDLIST")) {
      playlist = `${playlist.trimEnd()}\n#EXT-X-ENDLIST\n`;
      await writeFile(path, playlist);
    }
    let durationSeconds = 0;
    let sizeBytes = (await stat(path)).size;
    for (const line of playlist.split("\n")) {
      const extinf = /^#EXTINF:([\d.]+)/.exec(line);
      if (extinf) durationSeconds += Number(extinf[1]);
      else if (line.trim() && !line.startsWith("#")) {
        sizeBytes += (await stat(join(dirname(path), line.trim())).catch(() => ({ size: 0 }))).size;
      }
    }
    return { durationSeconds, sizeBytes };
  }

  /**
   * A sidecar or session file's facts, or null (one warning) when it is unreadable: empty or cut
   * short by a full disk before writes became atomic, or not OnAir's.
   */
  async function readFacts<T extends SegmentFacts>(file: string): Promise<T | null> {
    const text = await readFile(file, "utf8");
    try {
      const facts = JSON.parse(text) as T;
      if (typeof facts?.streamName === "string" && typeof facts.templateId === "number")
        return facts;
    } catch {
      // reported below
    }
    deps.logger.warn(
      { file, bytes: Buffer.byteLength(text) },
      "unreadable recording sidecar: its media is kept but not reported",
    );
    return null;
  }

  /** Moves an unreadable sidecar aside (`….unreadable`), so no later start meets it again. */
  async function quarantine(file: string): Promise<void> {
    await rename(file, `${file}.unreadable`);
  }

  /** Cuts a `.part` file to its last complete tag, syncs it and renames it; false if unreadable. */
  async function finalizePart(partPath: string, path: string): Promise<boolean> {
    const scan = scanFlv(await readFile(partPath));
    if (!scan) {
      deps.logger.warn({ file: partPath }, "unreadable partial recording left as is");
      return false;
    }
    const handle = await open(partPath, "r+");
    await handle.truncate(scan.validBytes);
    await handle.sync();
    await handle.close();
    await rename(partPath, path);
    return true;
  }

  /** One FLV file a crash (or a failed write) left (see `recover`); true when it was reported. */
  async function recoverFlv(sidecar: string): Promise<boolean> {
    const path = sidecar.slice(0, -".json".length);
    const partPath = `${path}.part`;
    const hasPart = await exists(partPath);
    const facts = await readFacts<SegmentFacts>(sidecar);
    if (!facts) {
      // Without its facts the file cannot be reported; it is finished and kept for the operator.
      if (hasPart) await finalizePart(partPath, path);
      if (hasPart || (await exists(path))) await quarantine(sidecar);
      else await rm(sidecar, { force: true });
      return false;
    }
    if (hasPart) {
      if (!(await finalizePart(partPath, path))) return false;
    } else if (!(await exists(path))) {
      await rm(sidecar, { force: true });
      return false;
    }
    // Reported before the crash, but its sidecar was not removed yet: not again.
    if (await deps.store.recording.hasFile(relative(deps.filesDir, path))) {
      await rm(sidecar, { force: true });
      return false;
    }
    const bytes = await readFile(path);
    const scan = scanFlv(bytes);
    const info = await stat(path);
    await report(path, facts, {
      startedAtMs: facts.startedAtMs,
      endedAtMs: info.mtimeMs,
      durationMs: scan ? scan.lastTimestamp - scan.firstTimestamp : 0,
      fileSize: bytes.length,
    });
    deps.logger.warn({ file: path, finalized: hasPart }, "recording recovered after a crash");
    return true;
  }

  return {
    /** Starts recording `publish` if a rule asks for it. */
    async attach(publish: LivePublish): Promise<void> {
      const key = publish.key;
      const rule = matchStreamRule(await deps.store.recording.listRules(), key);
      const template = rule ? await deps.store.recording.getTemplate(rule.templateId) : null;
      if (!template) return;
      const taskId = `${publish.sequence}`;
      const dir = join(recordDir, key.domainName, key.appName, key.streamName);
      const enabled = (["Flv", "Mp4", "Hls"] as const).filter(
        (f) => template.params[f]?.Enable === 1,
      );
      if (enabled.length === 0) return;
      await mkdir(dir, { recursive: true });
      // The rule lookup is async: a publish that ended meanwhile has nothing to record.
      if (publish.fanout.closed) return;
      const base: SegmentFacts = {
        ...key,
        streamParam: publish.request.streamParam,
        templateId: template.id,
        taskId,
        fileId: "",
        startedAtMs: deps.clock.now().getTime(),
      };
      for (const format of ["Mp4", "Hls"] as const) {
        const param = template.params[format];
        if (param?.Enable === 1)
          attachFfmpeg(publish, format === "Mp4" ? "mp4" : "hls", param, base, dir);
      }
      const flv = template.params.Flv;
      if (flv?.Enable !== 1) return;
      let files = 0;
      const sidecars = new Map<string, SegmentFacts>();
      let seq = 0;
      const flvStatus = (event: Parameters<typeof status>[2]) =>
        status(base, "flv", event, ++seq).catch((err: unknown) =>
          deps.logger.error({ err }, "status callback failed"),
        );
      const recorder = new FlvSegmentRecorder({
        intervalMs: flv.RecordInterval * 1000,
        maxQueuedBytes: deps.config.recording.maxQueuedBytes,
        now: () => deps.clock.now().getTime(),
        logger: deps.logger,
        nextTarget: (startedAtMs) => {
          const stamp = fileStamp(startedAtMs);
          const fileId = `${stamp}${randomBytes(4).toString("hex")}`;
          const path = join(dir, `${key.streamName}_${stamp}_${++files}.flv`);
          const facts: SegmentFacts = {
            ...base,
            fileId,
            startedAtMs,
            storageSeconds: flv.StorageTime,
          };
          // The .part file is opened only once this is written: a crash always finds its facts.
          const ready = writeFileAtomic(`${path}.json`, JSON.stringify(facts));
          sidecars.set(path, facts);
          return { path, partPath: `${path}.part`, ready };
        },
        onFailure: (reason) => {
          void flvStatus("record_error");
          void exception(base, "flv", 2, reason).catch((err: unknown) =>
            deps.logger.error({ err }, "exception callback failed"),
          );
        },
        // A file whose writes failed (disk full) is finished now as crash recovery would (cut to
        // its last complete tag, reported); if that fails too, the next start does it.
        onAbandoned: async (target) => {
          sidecars.delete(target.path);
          if (!(await exists(`${target.path}.json`))) return;
          await recoverFlv(`${target.path}.json`).catch((err: unknown) =>
            deps.logger.warn(
              { file: target.partPath, code: (err as NodeJS.ErrnoException).code },
              "recording left for recovery at the next start",
            ),
          );
        },
        onSegment: async (segment) => {
          const facts = sidecars.get(segment.path);
          sidecars.delete(segment.path);
          if (facts) await report(segment.path, facts, segment);
        },
      });
      void flvStatus("record_start_succeeded");
      active.add(recorder);
      void recorder.finished.then(async () => {
        await flvStatus("record_ended");
        active.delete(recorder);
      });
      publish.fanout.subscribe(recorder);
      deps.logger.info({ stream: streamKeyText(key), template: template.id }, "recording started");
    },

    /** Finishes and reports what a crash left behind (see above). */
    async recover(): Promise<number> {
      // A crash during an atomic sidecar write leaves only its temp file: the sidecar never was.
      for (const temp of await findFiles(recordDir, ".json.tmp")) await rm(temp, { force: true });
      let recovered = await recoverFfmpegSessions();
      for (const sidecar of await findFiles(recordDir, ".flv.json")) {
        try {
          if (await recoverFlv(sidecar)) recovered++;
        } catch (err) {
          // One unreadable leftover must not keep the server from starting.
          deps.logger.error({ err, file: sidecar }, "could not recover a recording");
        }
      }
      return recovered;
    },

    /** Runs the retention sweeper every `recording.sweepIntervalMs`. */
    startSweeper(): void {
      let running = false;
      sweeper = setInterval(() => {
        if (running) return;
        running = true;
        sweep()
          .then((removed) => {
            if (removed) deps.logger.info({ removed }, "recordings past their StorageTime deleted");
          })
          .catch((err: unknown) => deps.logger.error({ err }, "retention sweep failed"))
          .finally(() => {
            running = false;
          });
      }, deps.config.recording.sweepIntervalMs);
      sweeper.unref();
    },

    /** Waits for the recorders of ended publishes to finish their files. */
    async drain(): Promise<void> {
      if (sweeper) clearInterval(sweeper);
      await Promise.allSettled([...active].map((r) => r.finished));
    },
  };
}

/** `20261126T115404`: file names sort by time. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name));
}

export type RecordingService = ReturnType<typeof createRecordingService>;

import { execFile } from "node:child_process";
import { open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { StreamConsumerDeps } from "../events/stream-consumer-deps.js";
import { scanFlv } from "../media/flv-file.js";
import { SEGMENTED_FORMATS } from "./ffmpeg-recorder.js";
import { parsePlaylist, recordingBytes } from "./hls-playlist.js";
import type { RecordingEvents } from "./recording-events.js";
import {
  exists,
  type FfmpegSession,
  FLV_SIDECAR_SUFFIX,
  findFiles,
  newFileId,
  quarantine,
  readSidecar,
  SESSION_SUFFIX,
  type SegmentFacts,
} from "./sidecar.js";

/**
 * Finishes what a crash left under `recordDir` (docs/recording.md): a `.part` FLV file is cut to
 * its last complete tag, synced, renamed and reported; a finished file whose event was never
 * committed is reported; an MP4/HLS session's unreported files are reported. Unreadable sidecars
 * are moved aside, their media kept for the operator.
 */
export function createCrashRecovery(
  deps: Pick<StreamConsumerDeps, "store" | "config" | "logger" | "filesDir"> & {
    recordDir: string;
    callbacks: RecordingEvents;
  },
) {
  const isReported = (path: string) => deps.store.recording.hasFile(relative(deps.filesDir, path));

  /**
   * ffmpeg recordings (MP4, HLS, AAC, MP3) of a crashed node: its ffmpeg children saw their
   * stdin close and finished the files, which were never reported. Each file not reported yet is
   * reported now (an HLS playlist gets its missing end tag first).
   */
  async function recoverFfmpegSessions(): Promise<number> {
    let recovered = 0;
    for (const sessionFile of await findFiles(deps.recordDir, SESSION_SUFFIX)) {
      try {
        recovered += await recoverFfmpegSession(sessionFile);
      } catch (err) {
        deps.logger.error({ err, file: sessionFile }, "could not recover a recording");
      }
    }
    return recovered;
  }

  /**
   * The unreported files of one ffmpeg session; how many were reported. Segments follow each
   * other from the session's `mediaStartMs`, so each one's is the sum of those before it.
   */
  async function recoverFfmpegSession(sessionFile: string): Promise<number> {
    let recovered = 0;
    const session = await readSidecar<FfmpegSession>(sessionFile, deps.logger);
    if (!session) {
      await quarantine(sessionFile);
      return 0;
    }
    const dir = dirname(sessionFile);
    const format = session.format;
    const names = (await readdir(dir))
      .filter((name) =>
        format === "hls"
          ? name === `${session.baseName}.m3u8`
          : name.startsWith(`${session.baseName}_`) &&
            name.endsWith(`.${SEGMENTED_FORMATS[format]}`),
      )
      .sort();
    let mediaStartMs = session.mediaStartMs ?? 0;
    for (const name of names) {
      const path = join(dir, name);
      const { durationSeconds, sizeBytes } =
        format === "hls" ? await closePlaylist(path) : await probeFile(path);
      const fileStartMs = mediaStartMs;
      mediaStartMs += durationSeconds * 1000;
      if (await isReported(path)) continue;
      const endedAtMs = (await stat(path)).mtimeMs;
      await deps.callbacks.reportFile(
        path,
        { ...session, fileId: newFileId(session.startedAtMs) },
        {
          startedAtMs: endedAtMs - durationSeconds * 1000,
          endedAtMs,
          durationMs: durationSeconds * 1000,
          fileSize: sizeBytes,
          mediaStartMs: fileStartMs,
        },
        format,
      );
      deps.logger.warn({ file: path }, "recording recovered after a crash");
      recovered++;
    }
    await rm(sessionFile, { force: true });
    return recovered;
  }

  /** Duration (ffprobe) and size of a segment ffmpeg closed; 0 s when ffprobe cannot say. */
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
    let text = await readFile(path, "utf8");
    if (!text.includes("#EXT-X-ENDLIST")) {
      text = `${text.trimEnd()}\n#EXT-X-ENDLIST\n`;
      await writeFile(path, text);
    }
    const playlist = parsePlaylist(text);
    // A segment the crash never wrote counts 0 bytes.
    const sizeOf = (file: string) =>
      stat(file).then(
        (s) => s.size,
        () => 0,
      );
    return {
      durationSeconds: playlist.durationSeconds,
      sizeBytes: await recordingBytes(path, playlist, sizeOf),
    };
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

  /** One FLV file a crash (or a failed write) left; true when it was reported. */
  async function recoverFlv(sidecar: string): Promise<boolean> {
    const path = sidecar.slice(0, -".json".length);
    const partPath = `${path}.part`;
    const hasPart = await exists(partPath);
    const facts = await readSidecar<SegmentFacts>(sidecar, deps.logger);
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
    if (await isReported(path)) {
      await rm(sidecar, { force: true });
      return false;
    }
    const bytes = await readFile(path);
    const scan = scanFlv(bytes);
    const info = await stat(path);
    await deps.callbacks.reportFile(path, facts, {
      startedAtMs: facts.startedAtMs,
      endedAtMs: info.mtimeMs,
      durationMs: scan ? scan.lastTimestamp - scan.firstTimestamp : 0,
      fileSize: bytes.length,
    });
    deps.logger.warn({ file: path, finalized: hasPart }, "recording recovered after a crash");
    return true;
  }

  return {
    recoverFlv,

    /** Everything a crash left; how many files were reported. */
    async recover(): Promise<number> {
      // A crash during an atomic sidecar write leaves only its temp file: the sidecar never was.
      for (const temp of await findFiles(deps.recordDir, ".json.tmp"))
        await rm(temp, { force: true });
      let recovered = await recoverFfmpegSessions();
      for (const sidecar of await findFiles(deps.recordDir, FLV_SIDECAR_SUFFIX)) {
        try {
          if (await recoverFlv(sidecar)) recovered++;
        } catch (err) {
          // One unreadable leftover must not keep the server from starting.
          deps.logger.error({ err, file: sidecar }, "could not recover a recording");
        }
      }
      return recovered;
    },
  };
}

export type CrashRecovery = ReturnType<typeof createCrashRecovery>;

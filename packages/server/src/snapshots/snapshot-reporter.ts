import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { buildSnapshotEvent } from "@onair/callbacks";
import type { StreamConsumerDeps } from "../events/stream-consumer-deps.js";
import type { PublishedStream } from "../media/published-stream.js";
import type { SnapshotTemplate } from "../store/snapshot-repository.js";
import { jpegSize } from "./jpeg-size.js";
import { snapshotLocation } from "./snapshot-path.js";

/** One stored and reported screenshot, as handed to `onSnapshot`. */
export interface SnapshotTaken {
  domainName: string;
  appName: string;
  streamName: string;
  streamParam: string;
  /** The publish's `sequence`: porn detection's 317 belongs to the same publish. */
  sequence: string;
  template: SnapshotTemplate;
  jpeg: Buffer;
  width: number;
  height: number;
  takenAt: Date;
  /** Absolute file path under `<dataDir>/files/snapshot/`. */
  path: string;
  /** Tencent's `pic_full_url`. */
  url: string;
}

/**
 * Stores a screenshot at Tencent's path shape under `/files/snapshot/<domain>/<app>/` and reports
 * it (`EventType.Snapshot`, docs/snapshots.md) with the JPEG's real size. `onSnapshot` then sees
 * it (porn detection); it runs after the callback is committed and its failures are only logged.
 */
export function createSnapshotReporter(
  deps: Pick<
    StreamConsumerDeps,
    "commit" | "config" | "logger" | "filesDir" | "publicBaseUrl" | "fileUrlQuery"
  > & {
    onSnapshot?: ((shot: SnapshotTaken) => void | Promise<void>) | undefined;
  },
) {
  const hooks = new Set<Promise<void>>();

  function runHook(shot: SnapshotTaken): void {
    const onSnapshot = deps.onSnapshot;
    if (!onSnapshot) return;
    const hook = Promise.resolve()
      .then(() => onSnapshot(shot))
      .catch((err: unknown) => deps.logger.error({ err }, "onSnapshot hook failed"))
      .finally(() => hooks.delete(hook));
    hooks.add(hook);
  }

  return {
    /** Stores and reports one JPEG; throws when it is not a JPEG or cannot be stored. */
    async save(
      stream: PublishedStream,
      template: SnapshotTemplate,
      jpeg: Buffer,
      takenAt: Date,
    ): Promise<void> {
      const size = jpegSize(jpeg);
      if (!size) throw new Error("ffmpeg's output is not a JPEG");
      const key = stream.key;
      const location = snapshotLocation({ filesDir: deps.filesDir, ...key, takenAt, ...size });
      if (!location) return;
      // Two shots in one second would share a name; the reported one stays as it was.
      if (
        await stat(location.path).then(
          () => true,
          () => false,
        )
      )
        return;
      await mkdir(dirname(location.path), { recursive: true });
      // Renamed into place once complete: `/files/` never serves half a JPEG.
      await writeFile(`${location.path}.part`, jpeg);
      await rename(`${location.path}.part`, location.path);
      const baseUrl = `${deps.publicBaseUrl()}/files/${location.basePath}`;
      // pic_url stays Tencent's bare path; pic_full_url, what receivers fetch, is signed.
      const fullUrl = `${baseUrl}${location.picUrl}${deps.fileUrlQuery(decodeURIComponent(`${location.basePath}${location.picUrl}`))}`;
      const built = buildSnapshotEvent({
        appid: deps.config.appid,
        app: key.domainName,
        appname: key.appName,
        stream_id: key.streamName,
        stream_param: stream.streamParam,
        create_time: Math.floor(takenAt.getTime() / 1000),
        file_size: jpeg.length,
        width: size.width,
        height: size.height,
        pic_url: location.picUrl,
        baseUrl,
      });
      // After the publish's push (event 1): the receiver hears of the stream before its pictures.
      await stream.pushed;
      await deps.commit({
        body: { ...built, pic_full_url: fullUrl },
        domainName: key.domainName,
        appName: key.appName,
        streamId: key.streamName,
        source: "ingest",
        publishSequence: stream.sequence,
      });
      runHook({
        ...key,
        streamParam: stream.streamParam,
        sequence: stream.sequence,
        template,
        jpeg,
        ...size,
        takenAt,
        path: location.path,
        url: fullUrl,
      });
    },

    /** Waits for the `onSnapshot` hooks still running. */
    async drain(): Promise<void> {
      await Promise.allSettled([...hooks]);
    },
  };
}

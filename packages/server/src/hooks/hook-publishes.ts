import { createHash } from "node:crypto";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import {
  buildInterruptionEvent,
  buildPushEvent,
  buildRecordFileEvent,
  Errcode,
  SubErrcode,
} from "@onair/callbacks";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { newSequence } from "../domain/ids.js";
import { type StreamKey, streamKeyText } from "../domain/stream-key.js";
import type { EventInput } from "../events/event-committer.js";
import type { PublishTarget } from "../ingest/session/publish-target.js";
import { publishFacts } from "../streams/publish-facts.js";
import { HookInputError } from "./hook-request.js";
import { targetKey } from "./hook-target.js";
import { inspectRecording, recordingFormat } from "./recording-file.js";

/** Which media server a hook came from; peer client ids are only unique within one. */
export type HookSource = "nginx-rtmp" | "srs" | "mediamtx";

/**
 * Errcode of a hooked publish that ended: none of the three servers says why, and the usual end
 * is the publisher stopping (RTMP deleteStream). See docs/hooks.md.
 */
const UNPUBLISHED = Errcode.ClientDeleteStream;
/** Files smaller than this hold no media (nginx-rtmp leaves a ~123-byte stub at stop). */
const MIN_RECORDING_BYTES = 1024;
/** How long an ended publish is remembered, so a late recording gets its sequence. */
const RECENT_MS = 10 * 60_000;
const RECENT_MAX = 10_000;

/** A publish a media server reported, as far as OnAir knows it. */
interface HookPublish {
  source: HookSource;
  key: StreamKey;
  streamParam: string;
  sequence: string;
  startedAtMs: number;
  clientIp: string;
  node: string;
  peerClientId: string | null;
}

/** What a publish or unpublish hook says. */
export interface HookPublishInput {
  source: HookSource;
  target: PublishTarget;
  clientIp: string;
  node: string;
  peerClientId: string | null;
}

/** What a recording hook says. */
export interface HookRecordingInput {
  source: HookSource;
  target: PublishTarget;
  peerClientId: string | null;
  /** Absolute path on the media server's host. */
  path: string;
  /** When the peer reports it (MediaMTX); otherwise ffprobe is asked. */
  durationSeconds: number | null;
}

export type RecordingOutcome =
  | { emitted: true; fileId: string }
  | { emitted: false; reason: string };

export interface HookPublishes {
  /** Records a publish the media server accepted and commits its push event. */
  started(input: HookPublishInput): Promise<{ sequence: string }>;
  /** Ends the publish (errcode 1) and commits its interruption with the push's sequence. */
  ended(input: HookPublishInput): Promise<{ sequence: string; known: boolean }>;
  /** Commits an event 100 for a finished recording file. */
  recorded(input: HookRecordingInput): Promise<RecordingOutcome>;
}

/**
 * The per-stream state of hooked publishes: a new `sequence` per publish, shared by its push and
 * interruption, and its start time for `push_duration`. In memory on purpose: the store's live
 * registry belongs to the ingest's stream service, whose orphan sweep and Drop/Forbid polling
 * would act on rows it cannot reach (the media server holds the publisher). An unpublish OnAir
 * does not know (it restarted meanwhile) still gets its interruption, with a fresh sequence.
 */
export function createHookPublishes(deps: {
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  commit: (input: EventInput) => Promise<unknown>;
  ffprobe?: string;
  /** The signed `/files/` URL serving a file, or null when no served folder holds it. */
  fileUrl?: (absolutePath: string) => string | null;
}): HookPublishes {
  const { config, clock, logger } = deps;
  const live = new Map<string, HookPublish>();
  /** Ended publishes by stream, oldest first, with when they ended. */
  const recent = new Map<string, { publish: HookPublish; endedAtMs: number }>();
  const nowMs = () => clock.now().getTime();

  const facts = (p: HookPublish, atMs: number) =>
    publishFacts(config.appid, { ...p, serverIp: p.node }, atMs);

  /** Commits an event, of the publish with `sequence` when it belongs to one. */
  async function emit(key: StreamKey, body: EventInput["body"], sequence?: string): Promise<void> {
    await deps.commit({
      body,
      domainName: key.domainName,
      appName: key.appName,
      streamId: key.streamName,
      source: "hook",
      publishSequence: sequence,
    });
  }

  /** A publish starting now, with a sequence of its own. */
  function newPublish(input: HookPublishInput): HookPublish {
    return {
      source: input.source,
      key: targetKey(input.target),
      streamParam: input.target.streamParam,
      sequence: newSequence(),
      startedAtMs: nowMs(),
      clientIp: input.clientIp,
      node: input.node,
      peerClientId: input.peerClientId,
    };
  }

  function remember(p: HookPublish): void {
    const cutoff = nowMs() - RECENT_MS;
    for (const [k, old] of recent) {
      if (old.endedAtMs >= cutoff && recent.size < RECENT_MAX) break;
      recent.delete(k);
    }
    recent.delete(streamKeyText(p.key));
    recent.set(streamKeyText(p.key), { publish: p, endedAtMs: nowMs() });
  }

  async function interrupt(p: HookPublish, errcode: number, subErrcode?: number): Promise<void> {
    const endedAt = nowMs();
    remember(p);
    logger.info(
      { stream: streamKeyText(p.key), source: p.source, sequence: p.sequence, errcode },
      "hooked publish ended",
    );
    await emit(
      p.key,
      buildInterruptionEvent({
        ...facts(p, endedAt),
        errcode,
        subErrcode,
        errmsgTexts: config.ingest.errmsgTexts,
        pushDurationMs: endedAt - p.startedAtMs,
      }),
      p.sequence,
    );
  }

  /** The live publish an unpublish or recording is about: by key, confirmed by peer client id. */
  function find(input: { source: HookSource; target: PublishTarget; peerClientId: string | null }) {
    const byKey = live.get(streamKeyText(targetKey(input.target)));
    if (byKey && (input.peerClientId === null || byKey.peerClientId === input.peerClientId)) {
      return byKey;
    }
    // SRS's on_unpublish carries no tcUrl, so its key may differ from the publish's: the peer's
    // client id still identifies the publish.
    if (input.peerClientId === null) return undefined;
    for (const p of live.values()) {
      if (p.source === input.source && p.peerClientId === input.peerClientId) return p;
    }
    return undefined;
  }

  /** A publish that ended lately (a recording is often reported after its unpublish). */
  function findRecent(input: {
    source: HookSource;
    target: PublishTarget;
    peerClientId: string | null;
  }): HookPublish | undefined {
    if (input.peerClientId !== null) {
      for (const { publish } of recent.values()) {
        if (publish.source === input.source && publish.peerClientId === input.peerClientId) {
          return publish;
        }
      }
    }
    return recent.get(streamKeyText(targetKey(input.target)))?.publish;
  }

  return {
    async started(input) {
      const publish = newPublish(input);
      const previous = live.get(streamKeyText(publish.key));
      live.set(streamKeyText(publish.key), publish);
      // The media server let a second publisher in, or lost the first without telling us.
      if (previous) await interrupt(previous, Errcode.Dropped, SubErrcode.Replaced);
      logger.info(
        { stream: streamKeyText(publish.key), source: input.source, sequence: publish.sequence },
        "hooked publish started",
      );
      await emit(
        publish.key,
        buildPushEvent(facts(publish, publish.startedAtMs)),
        publish.sequence,
      );
      return { sequence: publish.sequence };
    },

    async ended(input) {
      const known = find(input);
      if (known) {
        live.delete(streamKeyText(known.key));
        await interrupt(known, UNPUBLISHED);
        return { sequence: known.sequence, known: true };
      }
      const orphan = newPublish(input);
      logger.warn(
        { stream: streamKeyText(orphan.key), source: input.source },
        "unpublish of a publish OnAir did not see start: interruption with a new sequence",
      );
      await interrupt(orphan, UNPUBLISHED);
      return { sequence: orphan.sequence, known: false };
    },

    async recorded(input) {
      if (!isAbsolute(input.path)) {
        throw new HookInputError(`recording path must be absolute: ${input.path.slice(0, 200)}`);
      }
      const format = recordingFormat(input.path);
      if (!format)
        throw new HookInputError(`not a recording file type: ${input.path.slice(0, 200)}`);
      const file = await inspectRecording(input.path, {
        knownDurationSeconds: input.durationSeconds,
        ...(deps.ffprobe ? { ffprobe: deps.ffprobe } : {}),
      });
      if (file.size !== null && file.size < MIN_RECORDING_BYTES) {
        return { emitted: false, reason: `file of ${file.size} bytes holds no media` };
      }
      if (file.size === null) {
        logger.warn(
          { path: input.path },
          "recording not readable from OnAir: size and duration unknown",
        );
      }
      const publish = find(input) ?? findRecent(input);
      const key = publish?.key ?? targetKey(input.target);
      const servedAt = deps.fileUrl?.(input.path) ?? null;
      if (servedAt === null) {
        logger.warn(
          { path: input.path },
          "recording outside every served folder (hooks.recordingDirs): video_url is its file:// path",
        );
      }
      const endedAtMs = file.modifiedAtMs ?? nowMs();
      const durationSeconds = file.durationSeconds ?? 0;
      const startedAtMs = Math.round(endedAtMs - durationSeconds * 1000);
      // Stable across a repeated hook for the same file, numeric like Tencent's file ids.
      const fileId = (
        (createHash("sha256").update(`${input.path}|${endedAtMs}`).digest().readBigUInt64BE() %
          9_000_000_000_000_000_000n) +
        1_000_000_000_000_000_000n
      ).toString();
      await emit(
        key,
        buildRecordFileEvent({
          appid: config.appid,
          app: key.domainName,
          appname: key.appName,
          stream_id: key.streamName,
          stream_param: publish?.streamParam ?? input.target.streamParam,
          file_id: fileId,
          file_format: format,
          task_id: publish?.sequence ?? fileId,
          startedAtMs,
          endedAtMs,
          durationSeconds,
          file_size: file.size ?? 0,
          video_url: servedAt ?? pathToFileURL(input.path).href,
          media_start_time: publish ? Math.max(0, startedAtMs - publish.startedAtMs) : 0,
        }),
        publish?.sequence,
      );
      return { emitted: true, fileId };
    },
  };
}

import { Errcode } from "@onair/callbacks";
import { type StreamKey, streamKeyText } from "../domain/stream-key.js";
import type { EventInput } from "../events/event-committer.js";
import type {
  PublishDecision,
  PublishHost,
  PublishRequest,
} from "../ingest/session/publish-host.js";
import type { NodeEvents } from "../observability/node-events.js";
import { createAdmission } from "./admission.js";
import { createClusterDuties } from "./cluster-duties.js";
import { LivePublish, type PublishEnd } from "./live-publish.js";
import type { NodeContext } from "./node-context.js";
import { createPublishEvents } from "./publish-events.js";

export interface StreamService extends PublishHost {
  /**
   * Ends a live publish wherever it runs; false when the stream is not live. `subErrcode` (Tencent
   * 267/31083: 21/100 Drop, 21/101 Forbid, 21/102 replaced) picks the interruption's errmsg,
   * also on the node that holds the publish (the `drop_sub_errcode` it polls).
   */
  drop(key: StreamKey, errcode: number, detail: string, subErrcode?: number): Promise<boolean>;
  /** This node's live publishes. */
  readonly localCount: number;
  start(): Promise<void>;
  /** Ends this node's publishes (errcode 5) and waits for their events to commit. */
  stop(): Promise<void>;
}

/**
 * The live-stream service: admits publishes (admission.ts), drives each one it accepted from
 * start to end — exactly one push, then exactly one interruption, with the same `sequence`
 * (publish-events.ts) — and does its part for the other nodes (cluster-duties.ts). A publish
 * reports to it only by the promises it awaits (`announced`, `ended`); it tells the rest of the
 * node on the bus ("publish.started").
 */
export function createStreamService(
  deps: NodeContext & {
    commit: (input: EventInput) => Promise<unknown>;
    /** The node's bus: "publish.started" is told on it (recording and screenshots attach). */
    nodeEvents: NodeEvents;
  },
): StreamService {
  const { store, config, clock, logger, metrics } = deps;
  const live = new Map<string, LivePublish>();
  /** Each publish being driven, until its interruption is committed. */
  const running = new Set<Promise<void>>();
  let stopping = false;
  const nowMs = () => clock.now().getTime();

  const events = createPublishEvents({
    appid: config.appid,
    errmsgTexts: config.ingest.errmsgTexts,
    commit: deps.commit,
    logger,
  });
  const admission = createAdmission({ ...deps, drop });
  const duties = createClusterDuties({
    ...deps,
    events,
    local: (key) => live.get(streamKeyText(key)),
  });

  async function drop(
    key: StreamKey,
    errcode: number,
    detail: string,
    subErrcode?: number,
  ): Promise<boolean> {
    const local = live.get(streamKeyText(key));
    if (local) {
      local.drop(errcode, detail, subErrcode);
      return true;
    }
    return store.streams.requestDrop(key, errcode, subErrcode);
  }

  /** Leaves the node's live set the moment the publish ends; its events follow. */
  function released(publish: LivePublish, end: PublishEnd): PublishEnd & { endedAtMs: number } {
    const endedAtMs = nowMs();
    const text = streamKeyText(publish.key);
    if (live.get(text) === publish) live.delete(text);
    metrics.livePublishes.set(live.size);
    metrics.publishEnds.inc({ errcode: String(end.errcode) });
    logger.info(
      {
        stream: text,
        sequence: publish.sequence,
        errcode: end.errcode,
        detail: end.detail,
        durationMs: endedAtMs - publish.startedAtMs,
      },
      "publish ended",
    );
    return { ...end, endedAtMs };
  }

  /** One publish, in order: push when announced, then at its end release the row, interruption. */
  async function drive(publish: LivePublish): Promise<void> {
    const ending = publish.ended.then((end) => released(publish, end));
    await publish.announced;
    if (publish.width > 0) {
      await store.streams
        .setDimensions(publish.key, publish.sequence, {
          width: publish.width,
          height: publish.height,
        })
        .catch((err: unknown) => logger.warn({ err }, "could not record the picture size"));
    }
    try {
      await events.push(publish);
    } finally {
      publish.markPushed();
    }
    const end = await ending;
    await store.streams
      .unregister(publish.key, publish.sequence)
      .catch((err: unknown) => logger.error({ err }, "could not release the stream"));
    await events.interruption(publish, end);
  }

  async function requestPublish(request: PublishRequest): Promise<PublishDecision> {
    const shuttingDown = () =>
      admission.refuse(
        "shutting-down",
        "NetStream.Publish.Denied",
        "server is shutting down",
        request,
      );
    if (stopping) return shuttingDown();
    const admitted = await admission.admit(request);
    if (!admitted.admitted) return admitted.refusal;
    const { key, sequence, startedAt } = admitted;
    if (stopping) {
      // Shutdown began while this publish was being decided: nothing would end it.
      await store.streams.unregister(key, sequence);
      return shuttingDown();
    }
    const publish = new LivePublish(
      key,
      request,
      sequence,
      startedAt.getTime(),
      config.ingest.pushEventWaitMs,
    );
    live.set(streamKeyText(key), publish);
    const driven = drive(publish)
      .catch((err: unknown) => logger.error({ err, sequence }, "publish events failed"))
      .finally(() => {
        publish.markPushed(); // never leave consumers waiting on a push that will not come
        running.delete(driven);
      });
    running.add(driven);
    deps.nodeEvents.emit("publish.started", publish);
    metrics.publishes.inc({ outcome: "accepted" });
    metrics.livePublishes.set(live.size);
    logger.info(
      {
        stream: streamKeyText(key),
        sequence,
        clientIp: request.clientIp,
        param: redactQuery(request.streamParam),
      },
      "publish started",
    );
    return { accepted: true, publish };
  }

  return {
    requestPublish,
    drop,
    get localCount() {
      return live.size;
    },
    start: duties.start,
    async stop() {
      stopping = true;
      duties.stop();
      for (const publish of [...live.values()]) {
        try {
          publish.drop(Errcode.InternalError, "server shutting down");
        } catch (err) {
          // One connection failing to close must not keep the others open.
          logger.error({ err, stream: streamKeyText(publish.key) }, "could not drop a publish");
        }
      }
      await Promise.allSettled([...running]);
    },
  };
}

/** The push query without its secret, for logs. */
function redactQuery(query: string): string {
  const params = new URLSearchParams(query);
  if (params.has("txSecret")) params.set("txSecret", "[redacted]");
  return params.toString();
}

import { buildInterruptionEvent, buildPushEvent, type PublishFacts } from "@onair/callbacks";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import { newSequence } from "../domain/ids.js";
import { type StreamKey, streamKeyText } from "../domain/stream-key.js";
import type { EventInput } from "../events/event-committer.js";
import type {
  PublishDecision,
  PublishHost,
  PublishRefusalCode,
  PublishRequest,
} from "../ingest/session/publish-host.js";
import type { Metrics } from "../observability/metrics.js";
import type { Store } from "../store/store.js";
import type { LiveStreamRecord } from "../store/stream-repository.js";
import { decidePublish, isLoopbackAddress, mayReplace } from "./decide-publish.js";
import { LivePublish } from "./live-publish.js";
import { askPublishHook } from "./publish-hook.js";

/** Errcode of a publish ended by DropLiveStream, ForbidLiveStream or a replacing publisher (Tencent 21). */
export const ERRCODE_DROPPED = 21;
/** Errcode of a publish whose node died or shut down (Tencent 5, internal error). */
export const ERRCODE_NODE_LOST = 5;

/** How long a new publisher waits for a replaced one to let go of the stream. */
const REPLACE_WAIT_MS = 3000;
const REPLACE_POLL_MS = 50;

export interface StreamService extends PublishHost {
  /** Ends a live publish wherever it runs; false when the stream is not live. */
  drop(key: StreamKey, errcode: number, detail: string): Promise<boolean>;
  /** This node's live publishes. */
  readonly localCount: number;
  start(): Promise<void>;
  /** Ends this node's publishes (errcode 5) and waits for their events to commit. */
  stop(): Promise<void>;
}

/**
 * The live-stream service: it decides whether a publish may start (push auth with the domain's
 * main and backup keys, a ban, the third-party hook, a live duplicate), keeps the node's live
 * publishes and their global registry rows, and turns each publish into exactly one push and one
 * interruption event with the same `sequence` (SPEC §2). Across nodes it carries out Drop/Forbid
 * requests addressed to its publishers and reports the publishes of dead nodes interrupted.
 */
export function createStreamService(deps: {
  store: Store;
  commit: (input: EventInput) => Promise<unknown>;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  nodeId: string;
  /** Subscribers of a new publish's tag stream (recording, screenshots) attach here. */
  onPublishStarted?: (publish: LivePublish) => void;
}): StreamService {
  const { store, config, clock, logger, metrics, nodeId } = deps;
  const ingest = config.ingest;
  const live = new Map<string, LivePublish>();
  /** Per publish, the events still being committed (push, then interruption). */
  const eventChains = new Map<LivePublish, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;

  const nowMs = () => clock.now().getTime();

  function facts(
    p: {
      key: StreamKey;
      sequence: string;
      serverIp: string;
      clientIp: string;
      streamParam: string;
      width: number;
      height: number;
    },
    eventTimeMs: number,
  ): PublishFacts {
    return {
      appid: config.appid,
      app: p.key.domainName,
      appname: p.key.appName,
      stream_id: p.key.streamName,
      event_time: Math.floor(eventTimeMs / 1000),
      sequence: p.sequence,
      node: p.serverIp,
      user_ip: p.clientIp,
      stream_param: p.streamParam,
      set_id: 2,
      idc_id: 0,
      width: p.width,
      height: p.height,
    };
  }

  function publishFacts(publish: LivePublish, eventTimeMs: number): PublishFacts {
    return facts(
      {
        key: publish.key,
        sequence: publish.sequence,
        serverIp: publish.request.serverIp,
        clientIp: publish.request.clientIp,
        streamParam: publish.request.streamParam,
        width: publish.width,
        height: publish.height,
      },
      eventTimeMs,
    );
  }

  async function emit(key: StreamKey, body: EventInput["body"]): Promise<void> {
    try {
      await deps.commit({
        body,
        domainName: key.domainName,
        appName: key.appName,
        streamId: key.streamName,
        source: "ingest",
      });
    } catch (err) {
      // The store refused the commit: nothing else can keep the event, so say so loudly.
      logger.error(
        { err, stream: streamKeyText(key), eventType: body.event_type },
        "could not commit a stream event",
      );
    }
  }

  function chain(publish: LivePublish, step: () => Promise<void>): void {
    const next = (eventChains.get(publish) ?? Promise.resolve()).then(step);
    eventChains.set(publish, next);
  }

  const lifecycle = {
    announce(publish: LivePublish) {
      const at = publish.startedAtMs;
      chain(publish, async () => {
        if (publish.width > 0) {
          await store.streams
            .setDimensions(publish.key, publish.sequence, {
              width: publish.width,
              height: publish.height,
            })
            .catch((err: unknown) => logger.warn({ err }, "could not record the picture size"));
        }
        await emit(publish.key, buildPushEvent(publishFacts(publish, at)));
      });
    },
    ended(publish: LivePublish, errcode: number, detail: string) {
      const endedAt = nowMs();
      if (live.get(streamKeyText(publish.key)) === publish) live.delete(streamKeyText(publish.key));
      metrics.livePublishes.set(live.size);
      metrics.publishEnds.inc({ errcode: String(errcode) });
      logger.info(
        {
          stream: streamKeyText(publish.key),
          sequence: publish.sequence,
          errcode,
          detail,
          durationMs: endedAt - publish.startedAtMs,
        },
        "publish ended",
      );
      chain(publish, async () => {
        await store.streams
          .unregister(publish.key, publish.sequence)
          .catch((err: unknown) => logger.error({ err }, "could not release the stream"));
        await emit(
          publish.key,
          buildInterruptionEvent({
            ...publishFacts(publish, endedAt),
            errcode,
            pushDurationMs: endedAt - publish.startedAtMs,
          }) as EventInput["body"],
        );
      });
      const settled = eventChains.get(publish);
      void settled?.finally(() => {
        if (eventChains.get(publish) === settled) eventChains.delete(publish);
      });
    },
  };

  function refuse(
    outcome: string,
    code: PublishRefusalCode,
    description: string,
    request: PublishRequest,
  ): PublishDecision {
    metrics.publishes.inc({ outcome });
    logger.warn(
      {
        stream: `${request.domain}/${request.appName}/${request.streamName}`,
        clientIp: request.clientIp,
        outcome,
        description,
      },
      "publish refused",
    );
    return { accepted: false, code, description };
  }

  /** Takes the stream's registry row, replacing a live publisher when this one may. */
  async function takeStream(
    key: StreamKey,
    record: Omit<LiveStreamRecord, "dropErrcode">,
    may: { replace: boolean },
  ): Promise<boolean> {
    if (await store.streams.register(record)) return true;
    if (!may.replace) return false;
    const local = live.get(streamKeyText(key));
    if (local) local.drop(ERRCODE_DROPPED, "replaced by a new publisher");
    else await store.streams.requestDrop(key, ERRCODE_DROPPED);
    const deadline = nowMs() + REPLACE_WAIT_MS;
    while (nowMs() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REPLACE_POLL_MS));
      if (await store.streams.register(record)) return true;
    }
    return false;
  }

  async function requestPublish(request: PublishRequest): Promise<PublishDecision> {
    if (stopping)
      return refuse(
        "shutting-down",
        "NetStream.Publish.Denied",
        "server is shutting down",
        request,
      );
    const key: StreamKey = {
      domainName: request.domain,
      appName: request.appName,
      streamName: request.streamName,
    };
    const verdict = await decidePublish({ store, config, clock }, key, request.streamParam, {
      local: isLoopbackAddress(request.clientIp),
    });
    if (!verdict.ok) {
      const auth = verdict.subErrcode !== null && verdict.subErrcode >= 500;
      const outcome = auth ? "auth" : verdict.subErrcode === 305 ? "forbidden" : "domain";
      const sub = verdict.subErrcode === null ? "" : `, sub_errcode ${verdict.subErrcode}`;
      return refuse(
        outcome,
        auth ? "NetStream.Publish.Unauthorized" : "NetStream.Publish.Denied",
        `${verdict.reason} (errcode 18${sub})`,
        request,
      );
    }
    const sequence = newSequence();
    if (ingest.publishHookUrl) {
      const verdict = await askPublishHook({
        url: ingest.publishHookUrl,
        timeoutMs: ingest.publishHookTimeoutMs,
        request,
        sequence,
      });
      if (!verdict.ok) {
        return refuse(
          "hook",
          "NetStream.Publish.Unauthorized",
          `${verdict.reason} (errcode 19)`,
          request,
        );
      }
    }
    const startedAt = clock.now();
    const replace = mayReplace(ingest.duplicatePublish, verdict);
    const taken = await takeStream(
      key,
      {
        ...key,
        sequence,
        nodeId,
        serverIp: request.serverIp,
        clientIp: request.clientIp,
        streamParam: request.streamParam,
        width: 0,
        height: 0,
        startedAt,
      },
      { replace },
    );
    if (taken && stopping) {
      // Shutdown began while this publish was being decided: nothing would end it.
      await store.streams.unregister(key, sequence);
      return refuse(
        "shutting-down",
        "NetStream.Publish.Denied",
        "server is shutting down",
        request,
      );
    }
    if (!taken) {
      return refuse(
        "duplicate",
        "NetStream.Publish.BadName",
        replace || ingest.duplicatePublish === "reject"
          ? "the stream is already being published (errcode 18, sub_errcode 601)"
          : "the stream is already being published; only a publisher with the domain's push key may replace it (errcode 18, sub_errcode 601)",
        request,
      );
    }
    const publish = new LivePublish(
      key,
      request,
      sequence,
      startedAt.getTime(),
      lifecycle,
      ingest.pushEventWaitMs,
    );
    live.set(streamKeyText(key), publish);
    deps.onPublishStarted?.(publish);
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

  /** Reports publishes of dead nodes (and this node's previous life) interrupted. */
  async function sweepOrphans(includeOwn: boolean): Promise<void> {
    const staleBefore =
      store.kind === "sqlite"
        ? new Date(8.64e15) // one node per SQLite file: every row not ours is from a past life
        : new Date(nowMs() - ingest.nodeStaleMs);
    const orphans = await store.streams.takeOrphans({ nodeId, staleBefore, includeOwn });
    for (const row of orphans) {
      const endedAt = nowMs();
      logger.warn(
        { stream: streamKeyText(row), node: row.nodeId, sequence: row.sequence },
        "publish of a lost node reported interrupted",
      );
      metrics.publishEnds.inc({ errcode: String(ERRCODE_NODE_LOST) });
      await emit(
        row,
        buildInterruptionEvent({
          ...facts({ ...row, key: row }, endedAt),
          errcode: ERRCODE_NODE_LOST,
          pushDurationMs: endedAt - row.startedAt.getTime(),
        }) as EventInput["body"],
      );
    }
  }

  async function carryOutDrops(): Promise<void> {
    for (const row of await store.streams.pendingDrops(nodeId)) {
      const publish = live.get(streamKeyText(row));
      if (publish && publish.sequence === row.sequence) {
        publish.drop(row.dropErrcode ?? ERRCODE_DROPPED, "drop requested through the API");
      } else {
        // Not ours any more (ended meanwhile): release the stale row.
        await store.streams.unregister(row, row.sequence);
      }
    }
  }

  function every(ms: number, task: () => Promise<void>, what: string): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || stopping) return;
      running = true;
      task()
        .catch((err: unknown) => logger.error({ err }, `${what} failed`))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    timers.push(timer);
  }

  return {
    requestPublish,
    get localCount() {
      return live.size;
    },
    async drop(key, errcode, detail) {
      const local = live.get(streamKeyText(key));
      if (local) {
        local.drop(errcode, detail);
        return true;
      }
      return store.streams.requestDrop(key, errcode);
    },
    async start() {
      await store.streams.heartbeat(nodeId, clock.now());
      await sweepOrphans(true);
      // One node per SQLite file: drops act locally and there is no other node to watch.
      if (store.kind === "sqlite") return;
      every(
        ingest.nodeHeartbeatMs,
        async () => {
          await store.streams.heartbeat(nodeId, clock.now());
          await sweepOrphans(false);
        },
        "node heartbeat",
      );
      every(ingest.commandPollMs, carryOutDrops, "stream command poll");
    },
    async stop() {
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      for (const publish of [...live.values()])
        publish.drop(ERRCODE_NODE_LOST, "server shutting down");
      await Promise.allSettled([...eventChains.values()]);
    },
  };
}

/** The push query without its secret, for logs. */
function redactQuery(query: string): string {
  const params = new URLSearchParams(query);
  if (params.has("txSecret")) params.set("txSecret", "[redacted]");
  return params.toString();
}

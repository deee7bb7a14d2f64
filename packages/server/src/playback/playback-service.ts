import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import { isLoopbackAddress } from "../domain/address-policy.js";
import type { Clock } from "../domain/clock.js";
import { streamKeyText } from "../domain/stream-key.js";
import type {
  PlayDecision,
  PlayHost,
  PlayRefusalCode,
  PlayRequest,
} from "../ingest/session/play-host.js";
import type { ViewerPolicy } from "../media/live-viewer.js";
import { PlaySource } from "../media/play-source.js";
import type { PublishedStream } from "../media/published-stream.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { Store } from "../store/store.js";
import { ClusterPlayback } from "./cluster-playback.js";
import { decidePlay } from "./decide-play.js";
import { type PlayTarget, resolvePlayTarget } from "./play-target.js";
import { ViewerStats } from "./viewer-stats.js";

/** A live stream's fan-out held for a consumer of this node (the HLS segmenter). */
export interface SourceLease {
  readonly source: PlaySource;
  /** Gives it back (an internal pull may stop after its linger). */
  release(): void;
}

export interface PlaybackService extends PlayHost {
  readonly stats: ViewerStats;
  /**
   * A play whose play auth was already checked (an HLS session token, docs/hls.md): the same
   * grant as `requestPlay`, counted the same, without the play domain and play auth decision.
   */
  admitPlay(request: PlayRequest): Promise<PlayDecision>;
  /**
   * The fan-out of `AppName/StreamName`, local or through an internal pull, without a viewer
   * (nothing counted); null when it is not live on any node.
   */
  acquireSource(appName: string, streamName: string): Promise<SourceLease | null>;
  readonly policy: ViewerPolicy;
  /** Internal pulls between nodes (docs/playback.md, "Several nodes"). */
  readonly cluster: ClusterPlayback;
  /** Ends every viewer (the node stops). */
  stop(): void;
}

/**
 * Playback on this node: one `PlaySource` (GOP cache and viewer fan-out) per live publish, made
 * on "publish.started" so the first viewer starts on a keyframe at once, and the play decision
 * for RTMP and HTTP-FLV alike (play-target.ts, decide-play.ts). A stream is found by AppName and
 * StreamName whatever push domain it came in on: every play domain plays every stream, as on
 * Tencent. The publish's end (the publisher leaving, Drop, Forbid) ends its viewers.
 */
export function createPlaybackService(deps: {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  events: NodeEvents;
  nodeId: string;
}): PlaybackService {
  const { config, logger } = deps;
  const stats = new ViewerStats();
  const policy: ViewerPolicy = {
    maxQueuedBytes: config.playback.maxQueuedBytes,
    maxSkippedKeyframes: config.playback.maxSkippedKeyframes,
  };
  /** By `AppName/StreamName`: the latest publish of that name wins. */
  const live = new Map<string, PlaySource>();
  const cluster = new ClusterPlayback(deps);

  deps.events.on("publish.started", (stream: PublishedStream) => {
    const name = playName(stream.key.appName, stream.key.streamName);
    const source: PlaySource = new PlaySource(stream, {
      maxGopBytes: config.playback.maxGopBytes,
      onEnd: () => {
        if (live.get(name) === source) live.delete(name);
      },
    });
    if (!source.ended) live.set(name, source);
  });

  function refuse(
    request: PlayRequest,
    code: PlayRefusalCode,
    description: string,
    why: keyof ViewerStats["refused"],
  ): PlayDecision {
    stats.refused[why]++;
    logger.warn(
      {
        protocol: request.protocol,
        stream: `${request.host}/${request.appName}/${request.streamName}`,
        clientIp: request.clientIp,
        code,
        description,
      },
      "play refused",
    );
    return { accepted: false, code, description };
  }

  async function requestPlay(request: PlayRequest): Promise<PlayDecision> {
    const target = resolvePlayTarget(request);
    if (!target.ok) return refuse(request, "NetStream.Play.Failed", target.reason, "badRequest");
    const name = playName(target.value.appName, target.value.streamName);
    if (request.relayCredential !== undefined) {
      // Another node's internal pull: its own viewer passed play auth there.
      const relayCredential = request.relayCredential;
      const decision = cluster.serveRelay({ ...request, relayCredential }, name, live.get(name));
      if (decision.accepted) return decision;
      const why = decision.code === "NetStream.Play.StreamNotFound" ? "notFound" : "auth";
      return refuse(request, decision.code, decision.description, why);
    }
    const verdict = await decidePlay(deps, target.value, request.query, {
      local: isLoopbackAddress(request.clientIp),
    });
    if (!verdict.ok) return refuse(request, "NetStream.Play.Failed", verdict.reason, "auth");
    return grantPlay(request, target.value);
  }

  async function admitPlay(request: PlayRequest): Promise<PlayDecision> {
    const target = resolvePlayTarget(request);
    if (!target.ok) return refuse(request, "NetStream.Play.Failed", target.reason, "badRequest");
    return grantPlay(request, target.value);
  }

  async function acquireSource(appName: string, streamName: string): Promise<SourceLease | null> {
    const local = live.get(playName(appName, streamName));
    if (local && !local.ended) return { source: local, release: () => undefined };
    // Not published here: pulled from the node that holds it, if another one does.
    const upstream = (await cluster.pulls?.acquire(appName, streamName)) ?? null;
    if (!upstream) return null;
    if (upstream.source.ended) {
      upstream.release();
      return null;
    }
    return upstream;
  }

  async function grantPlay(request: PlayRequest, target: PlayTarget): Promise<PlayDecision> {
    const { domain, appName, streamName } = target;
    const upstream = await acquireSource(appName, streamName);
    if (!upstream) {
      return refuse(
        request,
        "NetStream.Play.StreamNotFound",
        `${appName}/${streamName} is not live`,
        "notFound",
      );
    }
    const { source } = upstream;
    let joined = false;
    let gone = false;
    const key = { domain, appName, streamName, protocol: request.protocol };
    const viewer = {
      protocol: request.protocol,
      stream: streamKeyText(source.stream.key),
      clientIp: request.clientIp,
      domain,
    };
    return {
      accepted: true,
      grant: {
        domain,
        subscribe(sink) {
          joined = true;
          stats.joined(key);
          logger.info(viewer, "viewer joined");
          return source.add(sink);
        },
        sent: (bytes) => stats.sent(key, bytes),
        left(exit, detail) {
          if (gone) return;
          gone = true;
          upstream.release();
          if (!joined) return;
          stats.left(key);
          if (exit === "evicted") {
            stats.evicted[request.protocol]++;
            logger.warn({ ...viewer, detail }, "viewer dropped: it fell behind");
          } else {
            logger.info({ ...viewer, exit, detail }, "viewer left");
          }
        },
      },
    };
  }

  return {
    stats,
    policy,
    cluster,
    requestPlay,
    admitPlay,
    acquireSource,
    stop() {
      cluster.stop();
      for (const source of [...live.values()]) source.close();
      live.clear();
    },
  };
}

function playName(appName: string, streamName: string): string {
  return `${appName}/${streamName}`;
}

import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { PlayDecision, PlayRequest } from "../ingest/session/play-host.js";
import type { PlaySource } from "../media/play-source.js";
import type { Store } from "../store/store.js";
import { newRelayKey, verifyRelayCredential } from "./relay-credential.js";
import { RelayCounts, relayGrant } from "./relay-grant.js";
import { UpstreamPulls } from "./upstream-pull.js";

/**
 * Playback across the nodes of one PostgreSQL (docs/playback.md, "Several nodes"): this node's
 * relay key and HTTP address in its `nodes` row, the internal pulls it serves from its own
 * publishes (`serveRelay`) and those it makes of the others' (`pulls`; null with a store of
 * one node). A relay is served only from a local publish, so a pull is never pulled on.
 */
export class ClusterPlayback {
  readonly relays = new RelayCounts();
  readonly pulls: UpstreamPulls | null;
  private readonly relayKey = newRelayKey();

  constructor(
    private readonly deps: {
      store: Store;
      config: OnAirConfig;
      clock: Clock;
      logger: Logger;
      nodeId: string;
    },
  ) {
    const { config } = deps;
    this.pulls = deps.store.sharedAcrossNodes
      ? new UpstreamPulls({
          ...deps,
          lingerMs: config.cluster.pullLingerMs,
          timeoutMs: config.cluster.pullTimeoutMs,
          maxGopBytes: config.playback.maxGopBytes,
          // The holder relays what its publishers sent: RTMP messages of this size at most.
          maxTagBytes: config.ingest.maxMessageBytes,
        })
      : null;
  }

  /** Publishes where the other nodes pull from this one (`host:port` of its HTTP port). */
  async advertise(httpAddress: string): Promise<void> {
    if (!this.pulls) return;
    const { store, nodeId, clock } = this.deps;
    await store.streams.advertise(nodeId, { httpAddress, relayKey: this.relayKey }, clock.now());
  }

  /** Answers another node's internal pull of `name` (`AppName/StreamName`). */
  serveRelay(
    request: PlayRequest & { relayCredential: string },
    name: string,
    source: PlaySource | undefined,
  ): PlayDecision {
    const verdict = verifyRelayCredential({
      key: this.relayKey,
      credential: request.relayCredential,
      stream: name,
      nowMs: this.deps.clock.now().getTime(),
    });
    if (!verdict.ok) {
      return { accepted: false, code: "NetStream.Play.Failed", description: verdict.reason };
    }
    if (!source || source.ended) {
      return {
        accepted: false,
        code: "NetStream.Play.StreamNotFound",
        description: `${name} is not live on this node`,
      };
    }
    return {
      accepted: true,
      grant: relayGrant(source, {
        name,
        puller: verdict.puller,
        counts: this.relays,
        logger: this.deps.logger,
        clientIp: request.clientIp,
      }),
    };
  }

  stop(): void {
    this.pulls?.stop();
  }
}

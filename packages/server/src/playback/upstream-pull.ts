import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { PlaySource } from "../media/play-source.js";
import type { Store } from "../store/store.js";
import { type HeldPublish, pullFlv } from "./pulled-stream.js";
import { RELAY_HEADER, signRelayCredential } from "./relay-credential.js";

/** A live stream pulled from the node that holds its publisher, while this node has viewers. */
export interface UpstreamLease {
  readonly source: PlaySource;
  /** The viewer holding it is gone (once; later calls do nothing). */
  release(): void;
}

interface Pull {
  name: string;
  holder: string;
  /** Viewers that hold the pull: accepted and not gone yet. */
  holds: number;
  linger: NodeJS.Timeout | null;
  abort: AbortController;
  ready: Promise<PlaySource | null>;
}

/**
 * The internal pulls of a node on a shared store (docs/playback.md, "Several nodes"): a viewer
 * of a stream whose publisher is on another node is served from ONE pull per stream on this
 * node, an HTTP-FLV GET of the holding node (found in the live registry, `live_streams` and
 * `nodes`) with a relay credential, feeding a local `PlaySource` so every viewer here gets the
 * same GOP-cache start. The first viewer starts it; `lingerMs` after the last one left it
 * stops. When the holder's response ends (the publish ended, the holder died, it stopped
 * answering) the pull's viewers get their end of stream.
 */
export class UpstreamPulls {
  private readonly pulls = new Map<string, Pull>();
  /** Pulls started since the node started. */
  started = 0;
  private stopped = false;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      logger: Logger;
      nodeId: string;
      lingerMs: number;
      timeoutMs: number;
      maxGopBytes: number;
      maxTagBytes: number;
    },
  ) {}

  /** Running pulls by `AppName/StreamName`, for the metrics. */
  running(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const pull of this.pulls.values()) counts.set(pull.name, 1);
    return counts;
  }

  /** The pulled stream for a new viewer, or null when no other node holds it live. */
  async acquire(appName: string, streamName: string): Promise<UpstreamLease | null> {
    if (this.stopped) return null;
    const name = `${appName}/${streamName}`;
    const pull = this.pulls.get(name) ?? this.start(name, appName, streamName);
    pull.holds++;
    if (pull.linger) {
      clearTimeout(pull.linger);
      pull.linger = null;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(pull);
    };
    const source = await pull.ready;
    if (!source || source.ended) {
      release();
      return null;
    }
    return { source, release };
  }

  /** Ends every pull (the node stops): their viewers get their end of stream. */
  stop(): void {
    this.stopped = true;
    for (const pull of [...this.pulls.values()]) this.end(pull, "the node is stopping");
  }

  private start(name: string, appName: string, streamName: string): Pull {
    const pull: Pull = {
      name,
      holder: "",
      holds: 0,
      linger: null,
      abort: new AbortController(),
      ready: Promise.resolve(null),
    };
    this.pulls.set(name, pull);
    pull.ready = this.connect(pull, appName, streamName).then(
      (source) => {
        if (!source && this.pulls.get(name) === pull) this.pulls.delete(name);
        return source;
      },
      (err: unknown) => {
        this.deps.logger.error({ err, stream: name }, "internal pull failed");
        if (this.pulls.get(name) === pull) this.pulls.delete(name);
        return null;
      },
    );
    return pull;
  }

  private async connect(pull: Pull, appName: string, streamName: string) {
    const { store, clock, logger, nodeId } = this.deps;
    // The latest publish of the name wins, whatever push domain it came in on (as locally).
    const rows = await store.streams.list({ appName, streamName });
    const row = rows.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
    // Not live, or live here (this node serves it itself, never from a pull of its own).
    if (!row || row.nodeId === nodeId) return null;
    const holder = await store.streams.node(row.nodeId);
    if (!holder?.httpAddress || !holder.relayKey) {
      logger.warn({ stream: pull.name, node: row.nodeId }, "holding node has no address to pull");
      return null;
    }
    // Its viewers left (and the linger ran out) while the registry was read.
    if (pull.abort.signal.aborted) return null;
    pull.holder = row.nodeId;
    const path = `/${encodeURIComponent(appName)}/${encodeURIComponent(streamName)}.flv`;
    const credential = signRelayCredential({
      key: holder.relayKey,
      puller: nodeId,
      stream: pull.name,
      nowMs: clock.now().getTime(),
    });
    const publish: HeldPublish = {
      key: { domainName: row.domainName, appName: row.appName, streamName: row.streamName },
      sequence: row.sequence,
      streamParam: row.streamParam,
      startedAtMs: row.startedAt.getTime(),
      clientIp: row.clientIp,
      serverIp: row.serverIp,
      width: row.width,
      height: row.height,
    };
    const log = { stream: pull.name, holder: row.nodeId, address: holder.httpAddress };
    const outcome = await pullFlv({
      url: new URL(`http://${holder.httpAddress}${path}`),
      headers: { [RELAY_HEADER]: credential },
      publish,
      maxTagBytes: this.deps.maxTagBytes,
      timeoutMs: this.deps.timeoutMs,
      signal: pull.abort.signal,
      attach: (stream) =>
        new PlaySource(stream, {
          maxGopBytes: this.deps.maxGopBytes,
          onEnd: () => {
            if (this.pulls.get(pull.name) === pull) this.pulls.delete(pull.name);
            if (pull.linger) clearTimeout(pull.linger);
            pull.linger = null;
          },
        }),
      onEnd: (detail) => logger.info({ ...log, detail }, "internal pull ended"),
    });
    if (!outcome.ok) {
      logger.warn({ ...log, detail: outcome.reason }, "internal pull refused");
      return null;
    }
    this.started++;
    logger.info(log, "internal pull started");
    return outcome.value;
  }

  private release(pull: Pull): void {
    pull.holds = Math.max(0, pull.holds - 1);
    if (pull.holds > 0 || this.pulls.get(pull.name) !== pull || pull.linger) return;
    // A viewer reconnecting within the linger keeps the pull (and its GOP) instead of restarting it.
    pull.linger = setTimeout(() => {
      pull.linger = null;
      if (pull.holds === 0) this.end(pull, "its last viewer left");
    }, this.deps.lingerMs);
    pull.linger.unref();
  }

  private end(pull: Pull, detail: string): void {
    if (pull.linger) clearTimeout(pull.linger);
    pull.linger = null;
    if (this.pulls.get(pull.name) === pull) this.pulls.delete(pull.name);
    this.deps.logger.info(
      { stream: pull.name, holder: pull.holder, detail },
      "internal pull stopped",
    );
    pull.abort.abort();
    void pull.ready.then((source) => source?.close());
  }
}

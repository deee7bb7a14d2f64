import { Errcode } from "@onair/callbacks";
import { type StreamKey, streamKeyText } from "../domain/stream-key.js";
import type { NodeContext } from "./node-context.js";
import type { PublishEvents } from "./publish-events.js";

/**
 * What a node owes the others through the shared registry (docs/ingest.md, "Several nodes"): a heartbeat, the
 * interruption (errcode 5) of every publish whose node stopped beating — and at start of this
 * node's previous life — and the Drop/Forbid requests other nodes left on its own rows, carried
 * out by polling. With a store only one node uses, only the start-up sweep is left to do.
 */
export function createClusterDuties(
  deps: NodeContext & {
    events: PublishEvents;
    /** This node's live publish of a stream, if it has one. */
    local(
      key: StreamKey,
    ):
      | { sequence: string; drop(errcode: number, detail: string, subErrcode?: number): void }
      | undefined;
  },
): { start(): Promise<void>; stop(): void } {
  const { store, clock, logger, metrics, nodeId } = deps;
  const ingest = deps.config.ingest;
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const nowMs = () => clock.now().getTime();

  /** Reports publishes of dead nodes (and this node's previous life) interrupted. */
  async function sweepOrphans(includeOwn: boolean): Promise<void> {
    const staleBefore = store.sharedAcrossNodes
      ? new Date(nowMs() - ingest.nodeStaleMs)
      : new Date(8.64e15); // no other node: every row not ours is from a past life
    const orphans = await store.streams.takeOrphans({ nodeId, staleBefore, includeOwn });
    for (const row of orphans) {
      logger.warn(
        { stream: streamKeyText(row), node: row.nodeId, sequence: row.sequence },
        "publish of a lost node reported interrupted",
      );
      metrics.publishEnds.inc({ errcode: String(Errcode.InternalError) });
      await deps.events.interruption(
        { ...row, key: row, startedAtMs: row.startedAt.getTime() },
        { errcode: Errcode.InternalError, endedAtMs: nowMs() },
      );
    }
  }

  async function carryOutDrops(): Promise<void> {
    for (const row of await store.streams.pendingDrops(nodeId)) {
      const publish = deps.local(row);
      if (publish && publish.sequence === row.sequence) {
        publish.drop(
          row.dropErrcode ?? Errcode.Dropped,
          "drop requested through the API",
          row.dropSubErrcode ?? undefined,
        );
      } else {
        // Not ours any more (ended meanwhile): release the stale row.
        await store.streams.unregister(row, row.sequence);
      }
    }
  }

  function every(ms: number, task: () => Promise<void>, what: string): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || stopped) return;
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
    async start() {
      await store.streams.heartbeat(nodeId, clock.now());
      await sweepOrphans(true);
      // No other node: drops act locally and there is no one to watch.
      if (!store.sharedAcrossNodes) return;
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
    stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
    },
  };
}

import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { streamKeyText } from "../domain/stream-key.js";
import type { PublishedStream } from "../media/published-stream.js";
import type { NodeEvents } from "../observability/node-events.js";
import type { Store } from "../store/store.js";
import {
  type ForwardSettings,
  type ForwardState,
  ForwardTarget,
  type ForwardTargetStatus,
} from "./forward-target.js";
import { forwardUrl, forwardUrlProblem } from "./forward-url.js";

/** What the API and the metrics read of this node's forwards. */
export interface ForwardTargetsSource {
  /** Every target of every live publish on this node, by stream then rule. */
  targets(): ForwardTargetStatus[];
  /** Totals since the node started, for the metrics. */
  figures(): ForwardFigures;
}

export interface ForwardFigures {
  /** Targets now, by state. */
  byState: Record<ForwardState, number>;
  /** Bytes written to targets since the node started. */
  bytesTotal: number;
  /** Failed attempts since the node started. */
  failuresTotal: number;
}

export interface ForwardService extends ForwardTargetsSource {
  /** Ends every forward (the node stops). */
  stop(): void;
}

const STATES: readonly ForwardState[] = ["connecting", "live", "retrying", "failed"];

/**
 * Forwarding (docs/relay.md, an OnAir extension like nginx-rtmp's `push`): attaches on
 * "publish.started" like recording, reads the forward rules of the publish's domain and AppName
 * once, and runs one `ForwardTarget` per rule until the publish ends. Rules created while a
 * stream is live apply from its next publish.
 */
export function createForwardService(deps: {
  store: Store;
  events: NodeEvents;
  clock: Clock;
  logger: Logger;
  settings: ForwardSettings;
}): ForwardService {
  /** Targets of each live publish (by its sequence: a publish, not a stream name). */
  const live = new Map<string, { stream: PublishedStream; targets: ForwardTarget[] }>();
  let endedBytes = 0;
  let failures = 0;
  let stopped = false;

  const attach = async (stream: PublishedStream) => {
    const rules = await deps.store.forwards.match(stream.key.domainName, stream.key.appName);
    if (rules.length === 0 || stream.closed || stopped) return;
    const targets = rules.map((rule) => {
      const target = new ForwardTarget(
        stream,
        { ruleUrl: rule.targetUrl, targetUrl: forwardUrl(rule.targetUrl, stream.key) },
        {
          settings: deps.settings,
          clock: deps.clock,
          logger: deps.logger,
          onFailure: () => {
            failures++;
          },
        },
      );
      // Rules are checked on creation; one stored before that check, or edited, fails here.
      const problem = forwardUrlProblem(rule.targetUrl);
      if (problem) target.fail(`invalid target URL: ${problem}`);
      return { target, problem };
    });
    const entry = { stream, targets: targets.map((t) => t.target) };
    live.set(stream.sequence, entry);
    // One sink per publish, only for its end: the targets read the stream themselves.
    const unsubscribe = stream.subscribe({
      onTag: () => undefined,
      onEnd: () => {
        for (const target of entry.targets) {
          target.stop();
          endedBytes += target.bytesSent;
        }
        live.delete(stream.sequence);
        queueMicrotask(() => unsubscribe?.());
      },
    });
    for (const { target, problem } of targets) if (!problem) target.start();
  };

  const off = deps.events.on("publish.started", (stream) => {
    if (stopped) return;
    attach(stream).catch((err: unknown) =>
      deps.logger.error({ err, stream: streamKeyText(stream.key) }, "forward rules unreadable"),
    );
  });

  return {
    targets: () => [...live.values()].flatMap((e) => e.targets.map((t) => t.snapshot())),
    figures() {
      const byState = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ForwardState, number>;
      let bytes = endedBytes;
      for (const entry of live.values()) {
        for (const target of entry.targets) {
          const status = target.snapshot();
          byState[status.state]++;
          bytes += status.bytesSent;
        }
      }
      return { byState, bytesTotal: bytes, failuresTotal: failures };
    },
    stop() {
      stopped = true;
      off();
      for (const entry of live.values()) for (const target of entry.targets) target.stop();
      live.clear();
    },
  };
}

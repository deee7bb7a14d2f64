import type { Logger } from "pino";
import type { PlayGrant } from "../ingest/session/play-host.js";
import type { PlaySource } from "../media/play-source.js";

/** The internal pulls this node serves to the others, by `AppName/StreamName`. */
export class RelayCounts {
  /** Pulls served now. */
  readonly serving = new Map<string, number>();
  /** Pulls accepted since the node started. */
  accepted = 0;

  joined(name: string): void {
    this.accepted++;
    this.serving.set(name, (this.serving.get(name) ?? 0) + 1);
  }

  left(name: string): void {
    const now = (this.serving.get(name) ?? 1) - 1;
    if (now > 0) this.serving.set(name, now);
    else this.serving.delete(name);
  }
}

/**
 * The grant of another node's internal pull of a publish held here: it gets the same start
 * tags and live tags as a viewer, under the same slow-viewer policy, but it is no viewer, so it
 * is counted apart (`counts`), not in the viewer statistics, and it is only ever served from a
 * local publish (docs/playback.md, "Several nodes").
 */
export function relayGrant(
  source: PlaySource,
  deps: { name: string; puller: string; counts: RelayCounts; logger: Logger; clientIp: string },
): PlayGrant {
  const log = { stream: deps.name, puller: deps.puller, clientIp: deps.clientIp };
  let joined = false;
  let gone = false;
  return {
    domain: "",
    subscribe(sink) {
      joined = true;
      deps.counts.joined(deps.name);
      deps.logger.info(log, "internal pull joined");
      return source.add(sink);
    },
    sent: () => undefined,
    left(exit, detail) {
      if (gone) return;
      gone = true;
      if (!joined) return;
      deps.counts.left(deps.name);
      deps.logger.info({ ...log, exit, detail }, "internal pull left");
    },
  };
}

import { buildInterruptionEvent, buildPushEvent, type ErrmsgTexts } from "@onair/callbacks";
import type { Logger } from "pino";
import { streamKeyText } from "../domain/stream-key.js";
import type { EventInput } from "../events/event-committer.js";
import { type PublishIdentity, publishFacts } from "./publish-facts.js";

/**
 * The two events of an ingest publish (Tencent 267/47025): its push and its interruption, built
 * with @onair/callbacks' builders from the same identity, so they share its `sequence`. The
 * caller orders them (push first, each exactly once); this module only builds and commits.
 */
export interface PublishEvents {
  /** event_type 1, at the publish's start. */
  push(publish: PublishIdentity & { startedAtMs: number }): Promise<void>;
  /** event_type 0 with the Tencent errcode, at `endedAtMs`; `push_duration` since the start. */
  interruption(
    publish: PublishIdentity & { startedAtMs: number },
    end: { errcode: number; subErrcode?: number | undefined; endedAtMs: number },
  ): Promise<void>;
}

export function createPublishEvents(deps: {
  appid: number;
  /** Which table's texts `errmsg` carries (config `ingest.errmsgTexts`). */
  errmsgTexts?: ErrmsgTexts;
  commit: (input: EventInput) => Promise<unknown>;
  logger: Logger;
}): PublishEvents {
  async function commit(p: PublishIdentity, body: EventInput["body"]): Promise<void> {
    try {
      await deps.commit({
        body,
        domainName: p.key.domainName,
        appName: p.key.appName,
        streamId: p.key.streamName,
        source: "ingest",
        publishSequence: p.sequence,
      });
    } catch (err) {
      // The store refused the commit: nothing else can keep the event, so say so loudly.
      deps.logger.error(
        { err, stream: streamKeyText(p.key), eventType: body.event_type },
        "could not commit a stream event",
      );
    }
  }

  return {
    push(publish) {
      return commit(
        publish,
        buildPushEvent(publishFacts(deps.appid, publish, publish.startedAtMs)),
      );
    },
    interruption(publish, end) {
      return commit(
        publish,
        buildInterruptionEvent({
          ...publishFacts(deps.appid, publish, end.endedAtMs),
          errcode: end.errcode,
          subErrcode: end.subErrcode,
          errmsgTexts: deps.errmsgTexts ?? "current",
          pushDurationMs: end.endedAtMs - publish.startedAtMs,
        }),
      );
    },
  };
}

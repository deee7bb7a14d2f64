import { buildRelayEvent, type RelayFacts } from "@onair/callbacks";
import type { Logger } from "pino";
import type { Clock } from "../../domain/clock.js";
import { type PullTask, wantsCallback } from "../../domain/pull-task.js";
import type { Store } from "../../store/store.js";
import { type EventCommitter, NO_TEMPLATE_ID } from "../event-committer.js";
import { reportedTargetUrl } from "./relay-target.js";

/** One 314's event and its `msg` fields. */
export type RelayEventDetails = RelayFacts["event"];

/**
 * Commits a task's 314s (Tencent 267/42525) to its CallbackUrl through the outbox, so they are
 * durable and retried like every callback, and go one after the other (one ordering key per task
 * and URL): a receiver sees TaskStart before the files' events and TaskExit last. Events the
 * task's CallbackEvents leave out are not sent.
 *
 * Signing: Tencent's samples of 314 carry no `t`/`sign`, and a task has no CallbackKey. OnAir
 * signs them with the CallbackKey of the template whose rule matches the task's target
 * (DomainName/AppName), the key that target's own callbacks carry; a ToUrl task, or a target no
 * rule matches, is signed with no key (`sign` = MD5("" + t), no `webhook-signature`).
 */
export function createRelayCallbacks(deps: {
  store: Store;
  commit: EventCommitter["commitTo"];
  clock: Clock;
  appid: number;
  logger: Logger;
}) {
  async function templateFor(task: PullTask): Promise<number> {
    if (task.config.toUrl !== "" || task.config.domainName === "") return NO_TEMPLATE_ID;
    const rule = await deps.store.rules.match(task.config.domainName, task.config.appName);
    return rule?.templateId ?? NO_TEMPLATE_ID;
  }

  return {
    /** Commits the event when the task wants it; failures are logged, never thrown. */
    async tell(task: PullTask, event: RelayEventDetails): Promise<void> {
      if (!wantsCallback(task.config, event.callback_event)) return;
      const c = task.config;
      try {
        const body = buildRelayEvent({
          appid: deps.appid,
          task_id: task.id,
          stream_id: c.streamName,
          to_url: reportedTargetUrl(task),
          callback_url: c.callbackUrl,
          source_urls: c.sourceUrls,
          event_time: deps.clock.now().getTime() / 1000,
          event,
        });
        await deps.commit(
          {
            body,
            domainName: c.domainName,
            appName: c.appName,
            streamId: c.streamName || task.id,
            source: "pull-task",
          },
          {
            url: c.callbackUrl,
            templateId: await templateFor(task),
            orderingKey: `pull-task/${task.id}|${c.callbackUrl}`,
          },
        );
      } catch (err) {
        deps.logger.error(
          { err, task: task.id, event: event.callback_event },
          "pull task callback could not be committed",
        );
      }
    },
  };
}

export type RelayCallbacks = ReturnType<typeof createRelayCallbacks>;

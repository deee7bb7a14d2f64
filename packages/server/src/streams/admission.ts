import { Errcode, SubErrcode } from "@onair/callbacks";
import { newSequence } from "../domain/ids.js";
import type { StreamKey } from "../domain/stream-key.js";
import type {
  PublishDecision,
  PublishRefusalCode,
  PublishRequest,
} from "../ingest/session/publish-host.js";
import type { Store } from "../store/store.js";
import { decidePublish, isLoopbackAddress, mayReplace } from "./decide-publish.js";
import type { NodeContext } from "./node-context.js";
import { askPublishHook } from "./publish-hook.js";

/** How long a new publisher waits for a replaced one to let go of the stream. */
const REPLACE_WAIT_MS = 3000;
const REPLACE_POLL_MS = 50;

export type Refusal = Extract<PublishDecision, { accepted: false }>;

/** A publish that may start: it holds the stream's registry row under `sequence`. */
export interface Admitted {
  admitted: true;
  key: StreamKey;
  sequence: string;
  startedAt: Date;
}

export interface Admission {
  /**
   * Decides whether a publish may start: push auth with the domain's main and backup keys, a
   * ban, the third-party hook (errcode 19), then the stream's registry row — taken, or taken
   * over from a live publisher this one may replace (Tencent 21/102), or refused (18/601).
   */
  admit(request: PublishRequest): Promise<Admitted | { admitted: false; refusal: Refusal }>;
  /** Refuses a publish, counted and logged like every refusal. */
  refuse(
    outcome: string,
    code: PublishRefusalCode,
    description: string,
    request: PublishRequest,
  ): Refusal;
}

export function createAdmission(
  deps: NodeContext & {
    /** Ends the live publish being replaced, wherever it runs (the stream service's drop). */
    drop(key: StreamKey, errcode: number, detail: string, subErrcode?: number): Promise<boolean>;
  },
): Admission {
  const { store, config, clock, logger, metrics } = deps;
  const ingest = config.ingest;
  const nowMs = () => clock.now().getTime();

  const refuse: Admission["refuse"] = (outcome, code, description, request) => {
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
  };

  /**
   * A refusal of admit() is also recorded (bounded, store/refusal-repository.ts): Tencent lists
   * failed starts with a stream's publishes (DescribeLiveStreamEventList without IsFilter).
   */
  const refuseAndRecord = (
    outcome: string,
    code: PublishRefusalCode,
    description: string,
    request: PublishRequest,
    tencent: { errcode: number; subErrcode: number | null },
  ): Refusal => {
    void store.refusals
      .record({
        domainName: request.domain,
        appName: request.appName,
        streamName: request.streamName,
        clientIp: request.clientIp,
        ...tencent,
      })
      .catch((err: unknown) => logger.warn({ err }, "could not record a refused publish"));
    return refuse(outcome, code, description, request);
  };

  /** Takes the stream's registry row, replacing a live publisher when this one may. */
  async function takeStream(
    record: Parameters<Store["streams"]["register"]>[0],
    may: { replace: boolean },
  ): Promise<boolean> {
    if (await store.streams.register(record)) return true;
    if (!may.replace) return false;
    await deps.drop(record, Errcode.Dropped, "replaced by a new publisher", SubErrcode.Replaced);
    const deadline = nowMs() + REPLACE_WAIT_MS;
    while (nowMs() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REPLACE_POLL_MS));
      if (await store.streams.register(record)) return true;
    }
    return false;
  }

  return {
    refuse,
    async admit(request) {
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
        const refusal = refuseAndRecord(
          outcome,
          auth ? "NetStream.Publish.Unauthorized" : "NetStream.Publish.Denied",
          `${verdict.reason} (errcode ${Errcode.Refused}${sub})`,
          request,
          { errcode: Errcode.Refused, subErrcode: verdict.subErrcode },
        );
        return { admitted: false, refusal };
      }
      const sequence = newSequence();
      if (ingest.publishHookUrl) {
        const hook = await askPublishHook({
          url: ingest.publishHookUrl,
          timeoutMs: ingest.publishHookTimeoutMs,
          request,
          sequence,
        });
        if (!hook.ok) {
          const refusal = refuseAndRecord(
            "hook",
            "NetStream.Publish.Unauthorized",
            `${hook.reason} (errcode ${Errcode.ThirdPartyAuthFailed})`,
            request,
            { errcode: Errcode.ThirdPartyAuthFailed, subErrcode: null },
          );
          return { admitted: false, refusal };
        }
      }
      const startedAt = clock.now();
      const replace = mayReplace(ingest.duplicatePublish, verdict);
      const taken = await takeStream(
        {
          ...key,
          sequence,
          nodeId: deps.nodeId,
          serverIp: request.serverIp,
          clientIp: request.clientIp,
          streamParam: request.streamParam,
          width: 0,
          height: 0,
          startedAt,
        },
        { replace },
      );
      if (!taken) {
        const refusal = refuseAndRecord(
          "duplicate",
          "NetStream.Publish.BadName",
          replace || ingest.duplicatePublish === "reject"
            ? "the stream is already being published (errcode 18, sub_errcode 601)"
            : "the stream is already being published; only a publisher with the domain's push key may replace it (errcode 18, sub_errcode 601)",
          request,
          { errcode: Errcode.Refused, subErrcode: 601 },
        );
        return { admitted: false, refusal };
      }
      return { admitted: true, key, sequence, startedAt };
    },
  };
}

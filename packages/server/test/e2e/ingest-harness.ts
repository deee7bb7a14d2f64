import type { Logger } from "pino";
import type { OnAir } from "../../src/app.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import type { LiveClient } from "../helpers/sdk-clients.js";
import { startTestOnAir } from "../helpers/test-onair.js";
import { type Received, type ReceiverProcess, startReceiver } from "./receiver.js";

/** The push domain of publishes made by IP in these tests (`ingest.defaultDomain`). */
export const TEST_DOMAIN = "push.onair.test";
export {
  TEST_HOOK_TOKEN,
  TEST_INTAKE_TOKEN,
  TEST_SECRET_ID,
  TEST_SECRET_KEY,
} from "../helpers/test-onair.js";

const CALLBACK_KEY = "IngestKey123";

/**
 * OnAir with RTMP ingest on a loopback port, a receiver process verifying every callback with
 * @onair/callbacks, and a template + rule sending push and interruption callbacks of
 * TEST_DOMAIN/live to it.
 */
export interface IngestHarness {
  onair: OnAir;
  receiver: ReceiverProcess;
  /** The management API with the test credentials. */
  sdk: LiveClient;
  /** The template sending push and interruption callbacks to the receiver. */
  templateId: number;
  /** Adds push domain `name` with Tencent push auth on `mainKey`, its callbacks to the receiver. */
  addPushAuthDomain(name: string, mainKey: string): Promise<void>;
  rtmpUrl(path: string): string;
  /** Waits for the callbacks of `stream` with `event_type` until there are `count`. */
  events(
    stream: string,
    eventType: number,
    count?: number,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startIngestHarness(
  ingest: Record<string, unknown> = {},
  /** Other config keys (e.g. `recording`). */
  more: Record<string, unknown> = {},
  /** OnAir's logger, for tests that read its lines (`captureLogs`); silent by default. */
  logger?: Logger,
): Promise<IngestHarness> {
  const receiver = await startReceiver({ key: CALLBACK_KEY });
  const node = await startTestOnAir({
    rtmp: true,
    flags: {
      dispatcher: { pollIntervalMs: 50 },
      ingest: { defaultDomain: TEST_DOMAIN, idleTimeoutMs: 2000, ...ingest },
      ...more,
    },
    ...(logger ? { logger } : {}),
  });
  const { onair } = node;
  const template = await routeCallbacks(onair.store, {
    name: "ingest",
    urls: {
      StreamBeginNotifyUrl: receiver.url,
      StreamEndNotifyUrl: receiver.url,
      RecordNotifyUrl: receiver.url,
      SnapshotNotifyUrl: receiver.url,
      PornCensorshipNotifyUrl: receiver.url,
      RecordStatusNotifyUrl: receiver.url,
      RecordExceptionNotifyUrl: receiver.url,
    },
    callbackKey: CALLBACK_KEY,
    domainName: TEST_DOMAIN,
  });

  const matching = (stream: string, eventType: number) =>
    receiver.received.filter(
      (r: Received) =>
        r.verified &&
        // 317 (image moderation) names the stream `streamId`, like Tencent's page.
        (r.event?.stream_id ?? r.event?.streamId) === stream &&
        r.event?.event_type === eventType,
    );
  return {
    onair,
    receiver,
    sdk: node.sdk,
    templateId: template.id,
    async addPushAuthDomain(name, mainKey) {
      await onair.store.domains.create({
        name,
        type: 0,
        pushAuth: { enabled: true, mainKey, backupKey: "", authDeltaSeconds: 0 },
      });
      await onair.store.rules.upsert({ domainName: name, appName: "", templateId: template.id });
    },
    rtmpUrl: (path) => node.rtmpUrl(path),
    async events(stream, eventType, count = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = matching(stream, eventType);
        if (found.length >= count) return found.map((r) => r.event as Record<string, unknown>);
        if (Date.now() > deadline) {
          throw new Error(
            `waited ${timeoutMs} ms for ${count} event_type ${eventType} of ${stream}, got ${found.length}`,
          );
        }
        await receiver
          .waitFor(receiver.received.length + 1, Math.max(1, deadline - Date.now()))
          .catch(() => undefined);
      }
    },
    async stop() {
      await node.stop();
      await receiver.stop();
    },
  };
}

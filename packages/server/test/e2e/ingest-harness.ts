import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { type OnAir, startOnAir } from "../../src/app.js";
import { loadConfig } from "../../src/config/load-config.js";
import { type Received, type ReceiverProcess, startReceiver } from "./receiver.js";

/** The push domain of publishes made by IP in these tests (`ingest.defaultDomain`). */
export const TEST_DOMAIN = "push.onair.test";
export const TEST_SECRET_ID = "AKIDingest";
export const TEST_SECRET_KEY = "ingestSecretKey-0123456789";
/** The intake bearer and the hook token: secrets of their own, not the SecretKey. */
export const TEST_INTAKE_TOKEN = "ingestIntakeToken-0123456789";
export const TEST_HOOK_TOKEN = "ingestHookToken-0123456789";
const CALLBACK_KEY = "IngestKey123";

/**
 * OnAir with RTMP ingest on a loopback port, a receiver process verifying every callback with
 * @onair/callbacks, and a template + rule sending push and interruption callbacks of
 * TEST_DOMAIN/live to it.
 */
export interface IngestHarness {
  onair: OnAir;
  receiver: ReceiverProcess;
  /** The template sending push and interruption callbacks to the receiver. */
  templateId: number;
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
): Promise<IngestHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-ingest-"));
  const receiver = await startReceiver({ key: CALLBACK_KEY });
  const onair = await startOnAir(
    loadConfig({
      env: {},
      flags: {
        httpPort: 0,
        httpHost: "127.0.0.1",
        rtmpPort: 0,
        rtmpHost: "127.0.0.1",
        dataDir,
        secretId: TEST_SECRET_ID,
        secretKey: TEST_SECRET_KEY,
        intakeToken: TEST_INTAKE_TOKEN,
        hookToken: TEST_HOOK_TOKEN,
        dispatcher: { pollIntervalMs: 50 },
        ingest: { defaultDomain: TEST_DOMAIN, idleTimeoutMs: 2000, ...ingest },
        ...more,
      },
    }),
    { logger: pino({ level: process.env.ONAIR_TEST_LOG ?? "silent" }) },
  );
  const template = await onair.store.templates.create({
    name: "ingest",
    description: "",
    urls: {
      StreamBeginNotifyUrl: receiver.url,
      StreamEndNotifyUrl: receiver.url,
      RecordNotifyUrl: receiver.url,
      SnapshotNotifyUrl: receiver.url,
      PornCensorshipNotifyUrl: receiver.url,
      RecordStatusNotifyUrl: receiver.url,
      RecordExceptionNotifyUrl: receiver.url,
    },
    recordExceptionLevels: [],
    callbackKey: CALLBACK_KEY,
    previousKeys: [],
    retryPolicy: null,
    perStreamOrdering: false,
  });
  await onair.store.rules.upsert({ domainName: TEST_DOMAIN, appName: "", templateId: template.id });

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
    templateId: template.id,
    rtmpUrl: (path) => `rtmp://127.0.0.1:${onair.rtmpPort}/${path}`,
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
      await onair.stop();
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

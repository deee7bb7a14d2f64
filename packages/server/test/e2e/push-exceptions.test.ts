import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PUSH_ABNORMAL_TYPES } from "@onair/callbacks";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { type IngestHarness, startIngestHarness } from "./ingest-harness.js";

/**
 * Push exceptions (event 321, Tencent 267/53310) provoked byte by byte: for each abnormal type a
 * raw RTMP publisher sends exactly the fault, and the template's PushExceptionNotifyUrl gets a
 * 321 naming that type (and no other), with the occurrences of the interval counted in one
 * report. A real ffmpeg push in the same run gets none.
 */
const INTERVAL_MS = 1000;
const GAP_MS = 3000;

const AVC_HEADER = Buffer.from([0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe0]);
const HEVC_HEADER = Buffer.from([0x1c, 0x00, 0, 0, 0, 0x01, 0x01, 0x60, 0x00, 0x00]);
const avcFrame = (key = false) => Buffer.from([key ? 0x17 : 0x27, 0x01, 0, 0, 0, 0x65, 0x88]);
const hevcFrame = () => Buffer.from([0x2c, 0x01, 0, 0, 0, 0x02, 0x01]);
/** AAC LC, 48 kHz, stereo: AudioSpecificConfig 0x1190. */
const AAC_HEADER = Buffer.from([0xaf, 0x00, 0x11, 0x90]);
const aacFrame = () => Buffer.from([0xaf, 0x01, 0x21, 0x10, 0x04]);
/** MP3 44 kHz stereo 16-bit (sound format 2). */
const mp3Frame = () => Buffer.from([0x2f, 0xff, 0xfb, 0x90, 0x64]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Send = (kind: "video" | "audio", timestamp: number, body: Buffer) => void;

/** What each publisher sends; `send` writes one tag, `client` is there for control messages. */
const SCENARIOS: Record<number, (send: Send, client: RtmpTestClient) => Promise<void>> = {
  1: async (send) => {
    send("video", 0, AVC_HEADER);
    for (const ts of [0, 40, 80, 40, 120, 60]) send("video", ts, avcFrame(ts === 0));
  },
  2: async (send) => {
    send("audio", 0, AAC_HEADER);
    for (const ts of [0, 21, 42, 21]) send("audio", ts, aacFrame());
  },
  3: async (send) => {
    send("video", 0, AVC_HEADER);
    for (const ts of [0, 40, 2040, 2080]) send("video", ts, avcFrame(ts === 0));
  },
  4: async (send) => {
    send("audio", 0, AAC_HEADER);
    for (const ts of [0, 21, 1521, 1542]) send("audio", ts, aacFrame());
  },
  5: async (send, client) => {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(16384);
    client.write(RtmpTestClient.chunks({ csid: 2, typeId: 1, streamId: 0, payload: size }));
    send("audio", 0, AAC_HEADER);
    send("audio", 0, aacFrame());
  },
  6: async (send) => {
    send("video", 0, AVC_HEADER);
    send("video", 0, avcFrame(true));
    send("video", 40, avcFrame());
    await sleep(GAP_MS + 300);
    send("video", 80, avcFrame());
  },
  7: async (send) => {
    send("audio", 0, AAC_HEADER);
    send("audio", 0, aacFrame());
    send("audio", 21, aacFrame());
    await sleep(GAP_MS + 300);
    send("audio", 42, aacFrame());
  },
  8: async (send) => {
    send("video", 0, AVC_HEADER);
    send("video", 0, avcFrame(true));
    send("video", 40, HEVC_HEADER);
    send("video", 40, hevcFrame());
  },
  9: async (send) => {
    send("audio", 0, AAC_HEADER);
    send("audio", 0, aacFrame());
    send("audio", 21, mp3Frame());
  },
  10: async (send) => {
    send("video", 0, avcFrame(true));
    send("video", 40, avcFrame());
  },
  11: async (send) => {
    send("audio", 0, aacFrame());
    send("audio", 21, aacFrame());
  },
};

/** How many of its type each scenario provokes in one interval. */
const EXPECTED_COUNT: Record<number, number> = { 1: 2, 2: 1 };

describe("push exceptions (321) from a byte-level publisher", { timeout: 60_000 }, () => {
  let h: IngestHarness;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000 },
      { monitoring: { pushExceptionIntervalMs: INTERVAL_MS, frameGapMs: GAP_MS } },
    );
    // The template's Tencent field, set through the official SDK.
    await h.sdk.ModifyLiveCallbackTemplate({
      TemplateId: h.templateId,
      PushExceptionNotifyUrl: h.receiver.url,
    });
    const read = await h.sdk.DescribeLiveCallbackTemplate({ TemplateId: h.templateId });
    assert.equal(read.Template?.PushExceptionNotifyUrl, h.receiver.url);
  });
  after(async () => {
    await h.stop();
  });

  test("each abnormal type is reported under its code; a normal ffmpeg push is not", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/normal321"), { seconds: 6 });
    const types = Object.keys(SCENARIOS).map(Number);
    await Promise.all(
      types.map(async (type) => {
        const client = await RtmpTestClient.connect(Number(new URL(h.rtmpUrl("x")).port));
        const { code, streamId } = await client.publish({ stream: `abnormal${type}` });
        assert.equal(code, "NetStream.Publish.Start");
        const send: Send = (kind, timestamp, payload) =>
          client.write(
            RtmpTestClient.chunks({
              csid: kind === "video" ? 6 : 4,
              typeId: kind === "video" ? 9 : 8,
              streamId,
              timestamp,
              payload,
            }),
          );
        await (SCENARIOS[type] as (s: Send, c: RtmpTestClient) => Promise<void>)(send, client);
        const [event] = await h.events(`abnormal${type}`, 321, 1, 10_000);
        client.end();
        assert.ok(event);
        assert.equal(event.event_type, 321);
        assert.equal(event.interface, "general_callback");
        assert.equal(event.path, "live");
        assert.equal(event.report_interval, INTERVAL_MS);
        assert.equal(event.user_ip, "127.0.0.1");
        assert.equal(typeof event.sequence, "string");
        assert.ok(Number.isInteger(event.data_time));
        const abnormal = event.abnormal_event as {
          type: number;
          count: number;
          detail: { desc: string; occur_time: number }[];
          type_desc_cn: string;
          type_desc_en: string;
        }[];
        assert.deepEqual(
          abnormal.map((a) => a.type),
          [type],
          `abnormal${type}: ${JSON.stringify(abnormal)}`,
        );
        const [entry] = abnormal;
        assert.ok(entry);
        assert.equal(entry.count, EXPECTED_COUNT[type] ?? 1);
        assert.equal(entry.detail.length, entry.count);
        for (const d of entry.detail) {
          assert.ok(Number.isInteger(d.occur_time) && Math.abs(d.occur_time - Date.now()) < 30_000);
          assert.ok(d.desc.length > 0);
        }
        // The publish's push (1) came first.
        const order = h.receiver.received
          .filter((r) => r.event?.stream_id === `abnormal${type}`)
          .map((r) => r.event?.event_type);
        assert.equal(order[0], 1, `abnormal${type}: ${order.join(",")}`);
        const texts = PUSH_ABNORMAL_TYPES[type as keyof typeof PUSH_ABNORMAL_TYPES];
        assert.equal(entry.type_desc_cn, texts.cn);
        assert.equal(entry.type_desc_en, texts.en);
      }),
    );
    const result = await ffmpeg.exited;
    assert.equal(result.code, 0, result.stderr);
    await h.events("normal321", 0);
    // Past the last interval of the normal push: still nothing.
    await sleep(INTERVAL_MS * 2);
    const normal = h.receiver.received.filter(
      (r) => r.event?.stream_id === "normal321" && r.event?.event_type === 321,
    );
    assert.deepEqual(normal, [], "a normal ffmpeg push reports no push exception");
  });
});

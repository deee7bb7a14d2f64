import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import type { Client as LiveClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/live/v20180801/live_client.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

const WIDTH = 320;
const HEIGHT = 240;

/** A JPEG decoded by ffmpeg (independently of OnAir) into packed RGB24 pixels. */
async function decodeRgb(jpeg: Buffer): Promise<Buffer> {
  const child = spawn(
    "ffmpeg",
    ["-hide_banner", "-loglevel", "error", "-f", "image2pipe", "-i", "pipe:0"].concat([
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "pipe:1",
    ]),
  );
  const chunks: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => chunks.push(c));
  child.stdin.end(jpeg);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  assert.equal(code, 0, "ffmpeg could not decode the screenshot");
  return Buffer.concat(chunks);
}

/** The mean colour of a box given in fractions of the picture, so it holds at any size. */
function meanColour(
  rgb: Buffer,
  box: { x0: number; x1: number; y0: number; y1: number },
): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.floor(box.y0 * HEIGHT); y < Math.floor(box.y1 * HEIGHT); y++) {
    for (let x = Math.floor(box.x0 * WIDTH); x < Math.floor(box.x1 * WIDTH); x++) {
      const at = (y * WIDTH + x) * 3;
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (rgb[at + c] as number);
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n)) as [number, number, number];
}

/**
 * lavfi testsrc, looked at frame by frame: eight vertical bars of 1/8 of the width (black, red,
 * magenta, blue, yellow, green, red, cyan/white), static over time; a circle swaps the red bars'
 * colour and a counter moves on the right, so only bars they never touch are checked, in the top
 * fifth, above the moving rainbow strip.
 */
const TESTSRC_BARS: { name: string; x: number; rgb: [number, number, number] }[] = [
  { name: "black", x: 1 / 16, rgb: [0, 0, 0] },
  { name: "magenta", x: 5 / 16, rgb: [255, 0, 255] },
  { name: "blue", x: 7 / 16, rgb: [0, 0, 255] },
  { name: "yellow", x: 9 / 16, rgb: [255, 255, 0] },
  { name: "green", x: 11 / 16, rgb: [0, 255, 0] },
];

/**
 * Screenshots configured through the official SDK (CreateLiveSnapshotTemplate + Rule) with
 * SnapshotInterval 2 s, the floor CreateLiveSnapshotTemplate documents (Tencent 267/32624) and
 * the default configuration accepts, taken from a real ffmpeg publish: event 200 arrives about
 * every 2 s, and each JPEG, fetched over HTTP from its pic_full_url, decodes at the template's
 * size and shows testsrc's colour bars.
 */
describe("screenshots → event_type 200", () => {
  let h: IngestHarness;
  let sdk: LiveClient;
  let templateId: number;
  before(async () => {
    h = await startIngestHarness({ idleTimeoutMs: 10_000 });
    sdk = h.sdk;
    const created = await sdk.CreateLiveSnapshotTemplate({
      TemplateName: "shot2s",
      Description: "every_2s",
      SnapshotInterval: 2,
      Width: WIDTH,
      Height: HEIGHT,
      PornFlag: 0,
      CosAppId: 1250000000,
      CosBucket: "ignored",
      CosRegion: "ap-guangzhou",
    });
    templateId = created.TemplateId as number;
    await sdk.CreateLiveSnapshotRule({
      DomainName: TEST_DOMAIN,
      AppName: "live",
      TemplateId: templateId,
    });
  });
  after(async () => {
    await h.stop();
  });

  test("templates and rules round-trip with Tencent's names and errors", async () => {
    const { Templates } = await sdk.DescribeLiveSnapshotTemplates();
    assert.deepEqual(Templates, [
      {
        TemplateId: templateId,
        TemplateName: "shot2s",
        Description: "every_2s",
        SnapshotInterval: 2,
        Width: WIDTH,
        Height: HEIGHT,
        PornFlag: 0,
        CosAppId: 1250000000,
        CosBucket: "ignored",
        CosRegion: "ap-guangzhou",
        CosPrefix: null,
        CosFileName: null,
      },
    ]);
    const one = await sdk.DescribeLiveSnapshotTemplate({ TemplateId: templateId });
    assert.equal(one.Template?.SnapshotInterval, 2);
    const { Rules } = await sdk.DescribeLiveSnapshotRules();
    assert.equal(Rules.length, 1);
    assert.equal(Rules[0]?.TemplateId, templateId);
    assert.equal(Rules[0]?.DomainName, TEST_DOMAIN);
    assert.equal(Rules[0]?.AppName, "live");
    assert.equal(Rules[0]?.StreamName, "");
    assert.match(String(Rules[0]?.CreateTime), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const code = (expected: string) => (err: { code?: string }) => err.code === expected;
    const cos = { CosAppId: 1, CosBucket: "b", CosRegion: "r" };
    await assert.rejects(
      sdk.CreateLiveSnapshotTemplate({ TemplateName: "slow", SnapshotInterval: 301, ...cos }),
      code("InvalidParameterValue"),
    );
    await assert.rejects(
      sdk.CreateLiveSnapshotTemplate({ TemplateName: "fast", SnapshotInterval: 1, ...cos }),
      code("InvalidParameterValue"),
    );
    await assert.rejects(
      sdk.CreateLiveSnapshotTemplate({ TemplateName: "wide", Width: 3001, ...cos }),
      code("InvalidParameterValue"),
    );
    await assert.rejects(
      sdk.CreateLiveSnapshotTemplate({ TemplateName: "porn", PornFlag: 2, ...cos }),
      code("InvalidParameterValue"),
    );
    await assert.rejects(
      sdk.DeleteLiveSnapshotTemplate({ TemplateId: templateId }),
      code("FailedOperation.ConfInUsed"),
    );
    await assert.rejects(
      sdk.CreateLiveSnapshotRule({ DomainName: TEST_DOMAIN, TemplateId: 9999 }),
      code("InvalidParameter.ConfNotFound"),
    );

    // Defaults (10 s, source size), a stream-level rule, then both removed again.
    const extra = await sdk.CreateLiveSnapshotTemplate({ TemplateName: "defaults", ...cos });
    const described = await sdk.DescribeLiveSnapshotTemplate({
      TemplateId: extra.TemplateId as number,
    });
    assert.equal(described.Template?.SnapshotInterval, 10);
    assert.equal(described.Template?.Width, 0);
    assert.equal(described.Template?.Height, 0);
    await sdk.CreateLiveSnapshotRule({
      DomainName: TEST_DOMAIN,
      AppName: "other",
      StreamName: "one",
      TemplateId: extra.TemplateId as number,
    });
    assert.equal((await sdk.DescribeLiveSnapshotRules()).Rules.length, 2);
    await sdk.DeleteLiveSnapshotRule({
      DomainName: TEST_DOMAIN,
      AppName: "other",
      StreamName: "one",
    });
    await assert.rejects(
      sdk.DeleteLiveSnapshotRule({ DomainName: TEST_DOMAIN, AppName: "other", StreamName: "one" }),
      code("InternalError.RuleNotFound"),
    );
    await sdk.DeleteLiveSnapshotTemplate({ TemplateId: extra.TemplateId as number });
    await assert.rejects(
      sdk.DescribeLiveSnapshotTemplate({ TemplateId: extra.TemplateId as number }),
      code("InternalError.ConfNotFound"),
    );
  });

  test("a 9 s publish: a JPEG about every 2 s, at 320×240, showing the test pattern", async () => {
    const shot = publishWithFfmpeg(h.rtmpUrl("live/shot?a=b"), { seconds: 9 });
    const unmatched = publishWithFfmpeg(h.rtmpUrl("other/nosnap"), { seconds: 3 });
    assert.equal((await shot.exited).code, 0);
    assert.equal((await unmatched.exited).code, 0);
    await h.events("shot", 0);
    await h.events("nosnap", 0);
    const events = await h.events("shot", 200, 4, 10_000);
    assert.equal(
      h.receiver.received.filter(
        (r) => r.event?.event_type === 200 && r.event.stream_id === "nosnap",
      ).length,
      0,
      "a stream without a rule gets no screenshots",
    );
    assert.ok(events.length <= 6, `${events.length} screenshots of a 9 s publish every 2 s`);

    // Arrival spacing: the callbacks of one stream come about every SnapshotInterval.
    const arrivals = h.receiver.received
      .filter((r) => r.event?.event_type === 200 && r.event.stream_id === "shot")
      .map((r) => r.at);
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
    for (const gap of gaps) assert.ok(gap >= 1000 && gap <= 3500, `gaps ${gaps.join(", ")} ms`);
    const times = events.map((e) => Number(e.create_time));
    for (let i = 1; i < times.length; i++) {
      const step = (times[i] as number) - (times[i - 1] as number);
      assert.ok(step >= 1 && step <= 4, `create_time steps ${times.join(", ")}`);
    }

    for (const event of events) {
      assert.equal(event.stream_param, "a=b");
      assert.equal(event.app, TEST_DOMAIN);
      assert.equal(event.appname, "live");
      assert.equal(event.channel_id, "shot");
      assert.equal(event.width, WIDTH);
      assert.equal(event.height, HEIGHT);
      assert.match(
        String(event.pic_url),
        new RegExp(
          `^/\\d{4}-\\d{2}-\\d{2}/shot-screenshot-\\d{2}-\\d{2}-\\d{2}-${WIDTH}x${HEIGHT}\\.jpg$`,
        ),
      );
      // Signed (files.public is false by default); pic_url stays Tencent's bare path.
      assert.ok(
        String(event.pic_full_url).startsWith(
          `http://127.0.0.1:${h.onair.httpPort}/files/snapshot/${TEST_DOMAIN}/live${event.pic_url}?expires=`,
        ),
        String(event.pic_full_url),
      );
      assert.match(String(event.pic_full_url), /\?expires=\d+&sig=[0-9a-f]{64}$/);
      // The file's name carries the Beijing time of create_time, as Tencent's sample does.
      const beijing = new Date((Number(event.create_time) + 8 * 3600) * 1000).toISOString();
      assert.ok(String(event.pic_url).startsWith(`/${beijing.slice(0, 10)}/`));
      assert.ok(String(event.pic_url).includes(`-${beijing.slice(11, 19).replace(/:/g, "-")}-`));

      const response = await fetch(String(event.pic_full_url));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "image/jpeg");
      const jpeg = Buffer.from(await response.arrayBuffer());
      assert.equal(jpeg.length, event.file_size);
      const rgb = await decodeRgb(jpeg);
      assert.equal(rgb.length, WIDTH * HEIGHT * 3, "decoded at the template's Width×Height");
      for (const bar of TESTSRC_BARS) {
        const mean = meanColour(rgb, { x0: bar.x - 0.03, x1: bar.x + 0.03, y0: 0.05, y1: 0.2 });
        for (let c = 0; c < 3; c++) {
          assert.ok(
            Math.abs((mean[c] as number) - (bar.rgb[c] as number)) <= 48,
            `${bar.name} bar of ${event.pic_url} is rgb(${mean.join(",")})`,
          );
        }
      }
    }
  });
});

/**
 * An ffmpeg that cannot run never touches the stream: the publish starts and ends normally
 * (errcode 1), and simply no screenshot is reported.
 */
describe("screenshots with a broken ffmpeg", () => {
  let h: IngestHarness;
  before(async () => {
    h = await startIngestHarness(
      { idleTimeoutMs: 10_000 },
      { snapshot: { minIntervalSeconds: 2, ffmpegPath: "/nonexistent/ffmpeg" } },
    );
    const sdk = h.sdk;
    const { TemplateId } = await sdk.CreateLiveSnapshotTemplate({
      TemplateName: "broken",
      SnapshotInterval: 2,
      CosAppId: 1,
      CosBucket: "b",
      CosRegion: "r",
    });
    await sdk.CreateLiveSnapshotRule({ DomainName: TEST_DOMAIN, TemplateId: TemplateId as number });
  });
  after(async () => {
    await h.stop();
  });

  test("the publish is unaffected and no event 200 is sent", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/broken"), { seconds: 5 });
    assert.equal((await ffmpeg.exited).code, 0);
    const [push] = await h.events("broken", 1);
    const [end] = await h.events("broken", 0);
    assert.equal(push?.sequence, end?.sequence);
    assert.equal(end?.errcode, 1);
    assert.equal(
      h.receiver.received.filter((r) => r.event?.event_type === 200).length,
      0,
      "no screenshot without a working ffmpeg",
    );
  });
});

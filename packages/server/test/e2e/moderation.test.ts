import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { quietPeriod } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

/**
 * Porn detection (event_type 317) with the real classifier (@onair/moderation: nsfwjs, offline,
 * in a worker thread) on screenshots of a real ffmpeg publish. The test pattern is a drawing:
 * with thresholds at 0 every screenshot is a hit and a 317 callback of Tencent's shape arrives;
 * with the default thresholds none does.
 */
async function harnessWith(thresholds: Record<string, number>): Promise<IngestHarness> {
  const h = await startIngestHarness(
    { idleTimeoutMs: 10_000 },
    { snapshot: { minIntervalSeconds: 2 }, moderation: { enabled: true, ...thresholds } },
  );
  const sdk = h.sdk;
  const { TemplateId } = await sdk.CreateLiveSnapshotTemplate({
    TemplateName: "porn_check",
    SnapshotInterval: 2,
    Width: 320,
    Height: 240,
    PornFlag: 1,
    CosAppId: 1,
    CosBucket: "unused",
    CosRegion: "unused",
  });
  await sdk.CreateLiveSnapshotRule({
    DomainName: TEST_DOMAIN,
    AppName: "live",
    TemplateId: TemplateId as number,
  });
  return h;
}

describe("porn detection → event_type 317", { timeout: 120_000 }, () => {
  let h: IngestHarness | undefined;
  after(async () => {
    await h?.stop();
  });

  test("thresholds at 0: every screenshot is a hit and a 317 callback arrives", async () => {
    h = await harnessWith({ pornThreshold: 0, sexyThreshold: 0 });
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/flagged"), { seconds: 6 });
    const [shot] = await h.events("flagged", 200, 1, 20_000);
    const [hit] = await h.events("flagged", 317, 1, 20_000);
    await ffmpeg.exited;
    assert.ok(shot && hit);
    assert.equal(hit.event_type, 317);
    assert.equal(hit.streamId, "flagged");
    assert.equal(hit.img, shot.pic_full_url, "the 317 names the screenshot it judged");
    assert.equal(hit.suggestion, "Block");
    assert.equal(hit.label, "Porn");
    assert.ok(Array.isArray(hit.labelResults) && hit.labelResults.length > 0);
    // Tencent 267/38084: a porn hit is PornHigh; a scene that passed is labelled Normal.
    assert.equal(hit.subLabel, "PornHigh");
    const results = hit.labelResults as { Scene: string; Label: string; Suggestion: string }[];
    for (const r of results) {
      if (r.Suggestion === "Pass") assert.equal(r.Label, "Normal", `scene ${r.Scene}`);
      else assert.equal(r.Label, r.Scene, `scene ${r.Scene}`);
    }
    // The scores Tencent still sends for compatibility, as integers.
    for (const field of [
      "polityScore",
      "illegalScore",
      "terrorScore",
      "similarScore",
      "abuseScore",
      "teenagerScore",
      "adScore",
      "customScore",
    ])
      assert.ok(Number.isInteger(hit[field]), `${field} = ${hit[field]}`);
    assert.equal(typeof hit.screenshotTime, "number");
    const metrics = await (await fetch(`http://127.0.0.1:${h.onair.httpPort}/metrics`)).text();
    assert.match(metrics, /onair_snapshots_total\{outcome="taken"\} [1-9]/);
    assert.match(metrics, /onair_moderation_dropped_total \d+/);
    await h.stop();
    h = undefined;
  });

  test("default thresholds: the test pattern passes, no 317", async () => {
    h = await harnessWith({});
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/clean"), { seconds: 7 });
    await h.events("clean", 200, 2, 20_000);
    await ffmpeg.exited;
    await h.events("clean", 0);
    await quietPeriod(1000); // the last shots are classified: still no 317
    await assert.rejects(h.events("clean", 317, 1, 200), /waited/);
  });
});

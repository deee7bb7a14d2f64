import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { findDashboardAssets } from "../../src/dashboard/static-route.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

/**
 * The stream view's push quality in Debian's chromium (playwright-core): while a real ffmpeg
 * pushes 640x360 H.264 at 25 fps, the Streams page shows its codecs, size and frame rate, and its
 * bitrate and frame-rate charts grow with live readings.
 */
const CHROMIUM = "/usr/bin/chromium";
const SECRET_ID = "AKIDpushchart";
const SECRET_KEY = "pushChartSecretKey";
const STREAM = "chartcam";
const ARTIFACTS = fileURLToPath(new URL("../../../../../artifacts/dashboard/", import.meta.url));

describe("dashboard: push quality chart", { timeout: 60_000 }, () => {
  let node: TestOnAir;
  let context: BrowserContext;
  let page: Page;
  let ffmpeg: FfmpegPublisher;
  let profile: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
    assert.ok(findDashboardAssets(), "the dashboard is not built: run `npm run build`");
    node = await startTestOnAir({
      rtmp: true,
      flags: { secretId: SECRET_ID, secretKey: SECRET_KEY, ingest: { idleTimeoutMs: 5000 } },
    });
    profile = mkdtempSync(join(tmpdir(), "onair-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    ffmpeg = publishWithFfmpeg(node.rtmpUrl(`live/${STREAM}`), { seconds: 25 });
  });

  after(async () => {
    ffmpeg?.child.kill("SIGKILL");
    await context?.close();
    await node?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test("the Streams page shows the live figures and charts them", async () => {
    await page.goto(`${node.httpUrl}/dashboard/#/streams`);
    await page.getByLabel("SecretId", { exact: true }).fill(SECRET_ID);
    await page.getByLabel("SecretKey", { exact: true }).fill(SECRET_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Streams" }).waitFor();
    const card = page.locator(`.push-quality li[data-stream="${STREAM}"]`);
    await card.waitFor();
    // Five readings two seconds apart: the chart is drawn from live figures.
    const bitrate = card.getByRole("img", { name: /^Bitrate: \d+ kbit\/s$/ });
    await page.waitForFunction(
      (name) =>
        Number(
          document
            .querySelector(`.push-quality li[data-stream="${name}"] svg`)
            ?.getAttribute("data-points") ?? 0,
        ) >= 5,
      STREAM,
      { timeout: 20_000 },
    );
    const label = (await bitrate.getAttribute("aria-label")) ?? "";
    const kbps = Number(/(\d+) kbit/.exec(label)?.[1]);
    assert.ok(kbps > 20 && kbps < 5000, `a real bitrate: ${label}`);
    assert.equal(await bitrate.locator("polyline").count(), 1, "the line is drawn");
    const fps =
      (await card.getByRole("img", { name: /^Frame rate:/ }).getAttribute("aria-label")) ?? "";
    const rate = Number(/([\d.]+) fps/.exec(fps)?.[1]);
    assert.ok(rate >= 22 && rate <= 28, `ffmpeg sends 25 fps: ${fps}`);
    const figures = (await card.locator(".push-figures").textContent()) ?? "";
    assert.match(figures, /H264 640×360/);
    assert.match(figures, /AAC 44100 Hz/);
    assert.match(figures, /127\.0\.0\.1/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await card.screenshot({ path: join(ARTIFACTS, "push-quality.png") });
  });
});

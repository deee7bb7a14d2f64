import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BrowserContext, chromium } from "playwright-core";
import { findDashboardAssets } from "../../src/dashboard/static-route.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

/**
 * The Streams page's Forwards section (docs/relay.md) in Debian's chromium: a real ffmpeg
 * publish on one OnAir forwarded to a second OnAir (live) and to a closed port (retrying, with
 * the connection error shown).
 */
const CHROMIUM = "/usr/bin/chromium";

describe("dashboard forwards", { timeout: 60_000 }, () => {
  let source: TestOnAir;
  let target: TestOnAir;
  let context: BrowserContext;
  let publisher: FfmpegPublisher;
  let profile = "";

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
    assert.ok(findDashboardAssets(), "the dashboard is not built: run `npm run build`");
    target = await startTestOnAir({ rtmp: true });
    source = await startTestOnAir({
      rtmp: true,
      flags: { forwarding: { retryInitialMs: 200, retryMaxMs: 500 } },
    });
    // Publishes by IP have the address as their domain (docs/ingest.md).
    for (const url of [`rtmp://127.0.0.1:${target.onair.rtmpPort}/live`, "rtmp://127.0.0.1:9/x"]) {
      await source.onair.store.forwards.create({
        domainName: "127.0.0.1",
        appName: "live",
        targetUrl: url,
      });
    }
    publisher = publishWithFfmpeg(source.rtmpUrl("live/shown"), { seconds: 30 });
    profile = mkdtempSync(join(tmpdir(), "onair-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
    });
  });

  after(async () => {
    publisher?.child.kill("SIGKILL");
    await context?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test("the live target and the failing one with its error", async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    await page.goto(`${source.httpUrl}/dashboard/#/streams`);
    await page.getByLabel("SecretId", { exact: true }).fill(source.secretId);
    await page.getByLabel("SecretKey", { exact: true }).fill(source.secretKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 2, name: "Forwards" }).waitFor();
    const live = page.locator('tr[data-forward-state="live"]');
    await live.waitFor();
    assert.match(
      (await live.textContent()) ?? "",
      new RegExp(`:${target.onair.rtmpPort}/live/shown`),
    );
    const failing = page.locator(
      'tr[data-forward-state="retrying"], tr[data-forward-state="connecting"]',
    );
    await page.locator("tr", { hasText: "ECONNREFUSED" }).waitFor();
    assert.match((await failing.first().textContent()) ?? "", /127\.0\.0\.1:9\/x\/shown/);
  });
});

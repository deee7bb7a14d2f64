/**
 * Screenshots of every dashboard page at a laptop (1400×900) and a phone (390×844) width, taken
 * by Debian's chromium (playwright-core) from a live OnAir with realistic data: a push domain
 * with a real ffmpeg publish (so a live stream with its screenshot), callback templates and
 * rules, delivered and dead callbacks, and the operator alert the dead one raised. They are
 * written to docs/screenshots/ (docs/dashboard.md shows them).
 *
 * Run from the clone: `npm run build && npm run screenshots -w onair`.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildInterruptionEvent, buildPushEvent, signPushUrl } from "@onair/callbacks";
import type { Page } from "playwright-core";
import { findDashboardAssets } from "../../src/dashboard/static-route.js";
import { openBrowser } from "../helpers/browser.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { startRecordingReceiver } from "../helpers/recording-receiver.js";
import { startTestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

const OUT = fileURLToPath(new URL("../../../../../docs/screenshots/", import.meta.url));
const DOMAIN = "push.example.com";
const WIDTHS = [
  { name: "desktop", viewport: { width: 1400, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;
const PAGES = ["Overview", "Streams", "Configuration", "Deliveries"] as const;

async function main(): Promise<void> {
  if (!findDashboardAssets()) throw new Error("the dashboard is not built: run `npm run build`");
  mkdirSync(OUT, { recursive: true });
  const ok = await startRecordingReceiver("/live/callback");
  ok.answer(200, '{"code":0}');
  const failing = await startRecordingReceiver("/backup/callback");
  failing.answer(503, "upstream unavailable");
  const standby = await startRecordingReceiver("/standby/callback");
  standby.answer(503, "warming up");
  const alerts = await startRecordingReceiver("/ops/alerts");
  const node = await startTestOnAir({
    rtmp: true,
    flags: {
      dispatcher: { pollIntervalMs: 50 },
      snapshot: { minIntervalSeconds: 2 },
      alerts: { url: alerts.url, key: "screenshots-alert-key-0123" },
    },
  });
  const publishers: ReturnType<typeof publishWithFfmpeg>[] = [];
  const browsers: Awaited<ReturnType<typeof openBrowser>>[] = [];
  try {
    const sdk = node.sdk;
    await sdk.AddLiveDomain({ DomainName: DOMAIN, DomainType: 0, PlayType: 1 });
    await sdk.AddLiveDomain({ DomainName: "play.example.com", DomainType: 1, PlayType: 1 });
    const live = await sdk.CreateLiveCallbackTemplate({
      TemplateName: "production",
      Description: "main_receiver",
      StreamBeginNotifyUrl: ok.url,
      StreamEndNotifyUrl: ok.url,
      SnapshotNotifyUrl: ok.url,
      CallbackKey: "ProductionCallbackKey",
    });
    await sdk.CreateLiveCallbackRule({
      DomainName: DOMAIN,
      AppName: "live",
      TemplateId: live.TemplateId!,
    });
    const backup = await sdk.CreateLiveCallbackTemplate({
      TemplateName: "backup",
      Description: "legacy_receiver",
      StreamBeginNotifyUrl: failing.url,
      StreamEndNotifyUrl: failing.url,
      CallbackKey: "BackupCallbackKey",
    });
    await node.onair.store.templates.update(backup.TemplateId!, {
      ...(await node.onair.store.templates.get(backup.TemplateId!))!,
      retryPolicy: { maxRetries: 0, intervalMs: 1000, timeoutMs: 2000, jitter: 0 },
    });
    await sdk.CreateLiveCallbackRule({
      DomainName: DOMAIN,
      AppName: "backup",
      TemplateId: backup.TemplateId!,
    });
    // A receiver still warming up: its delivery is pending, retried every ten minutes.
    const retrying = await sdk.CreateLiveCallbackTemplate({
      TemplateName: "standby",
      Description: "warming_up",
      StreamBeginNotifyUrl: standby.url,
      CallbackKey: "StandbyCallbackKey",
    });
    await node.onair.store.templates.update(retrying.TemplateId!, {
      ...(await node.onair.store.templates.get(retrying.TemplateId!))!,
      retryPolicy: { maxRetries: 5, intervalMs: 600_000, timeoutMs: 2000, jitter: 0 },
    });
    await sdk.CreateLiveCallbackRule({
      DomainName: DOMAIN,
      AppName: "standby",
      TemplateId: retrying.TemplateId!,
    });
    const shots = await sdk.CreateLiveSnapshotTemplate({
      TemplateName: "thumbs",
      Description: "every_2s",
      SnapshotInterval: 2,
      Width: 640,
      Height: 360,
      PornFlag: 0,
      CosAppId: 1250000000,
      CosBucket: "ignored",
      CosRegion: "ap-guangzhou",
    });
    await sdk.CreateLiveSnapshotRule({
      DomainName: DOMAIN,
      AppName: "live",
      TemplateId: shots.TemplateId!,
    });
    // A forward whose target does not answer: the Streams page shows it retrying, with its error.
    await sdk.request("CreateLiveForwardRule", {
      DomainName: DOMAIN,
      AppName: "live",
      TargetUrl: "rtmp://127.0.0.1:9/restream/{StreamName}",
    });

    // A real publish, signed with the domain's push key, as the dashboard's generator makes it.
    const domain = await node.onair.store.domains.get(DOMAIN);
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    for (const stream of ["studio_a", "field_cam"]) {
      const { txSecret, txTime } = signPushUrl({
        key: domain!.pushAuth.mainKey,
        streamName: stream,
        expiresAt,
      });
      publishers.push(
        publishWithFfmpeg(
          node.rtmpUrl(`live/${stream}?domain=${DOMAIN}&txSecret=${txSecret}&txTime=${txTime}`),
        ),
      );
    }
    // Past sessions on the backup app, pushed and interrupted: their callbacks die, raising alerts.
    const nowSeconds = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 3; i++) {
      const facts = {
        appid: 1_000_000,
        app: DOMAIN,
        appname: "backup",
        stream_id: `rehearsal_${i + 1}`,
        event_time: nowSeconds - 3600 + i * 900,
        sequence: String(9_100_000_000_000_000_000n + BigInt(i)),
        node: "127.0.0.1",
        user_ip: `192.0.2.${10 + i}`,
        stream_param: "",
        set_id: 2,
        idc_id: 0,
      };
      const ended = { ...facts, event_time: facts.event_time + 600 };
      for (const body of [
        buildPushEvent(facts),
        buildInterruptionEvent({ ...ended, errcode: i === 2 ? 3 : 1, pushDurationMs: 600_000 }),
      ]) {
        await node.onair.events.commit({
          body,
          domainName: DOMAIN,
          appName: "backup",
          streamId: facts.stream_id,
          source: "intake",
        });
      }
    }
    await node.onair.events.commit({
      body: buildPushEvent({
        appid: 1_000_000,
        app: DOMAIN,
        appname: "standby",
        stream_id: "standby_cam",
        event_time: nowSeconds,
        sequence: "9100000000000000100",
        node: "127.0.0.1",
        user_ip: "192.0.2.20",
        stream_param: "",
        set_id: 2,
        idc_id: 0,
      }),
      domainName: DOMAIN,
      appName: "standby",
      streamId: "standby_cam",
      source: "intake",
    });
    await waitFor("the standby receiver tried once", () => standby.received.length >= 1, {
      timeoutMs: 20_000,
    });
    await waitFor(
      "two live streams",
      async () => (await node.onair.store.streams.list({})).length === 2,
      {
        timeoutMs: 20_000,
      },
    );
    await waitFor(
      "a screenshot of each stream",
      () => ok.received.filter((r) => r.json.event_type === 200).length >= 2,
      {
        timeoutMs: 30_000,
      },
    );
    await waitFor("the dead-delivery alerts", () => alerts.received.length >= 6, {
      timeoutMs: 20_000,
    });
    // The legacy receiver has been failing for days: disabled, as the dispatcher would.
    const disabledAt = new Date();
    await node.onair.store.endpoints.markFailure(
      failing.url,
      new Date(disabledAt.getTime() - 432_000_000),
    );
    await node.onair.store.endpoints.disable(failing.url, disabledAt, "failing for 432000 s");

    for (const { name, viewport } of WIDTHS) {
      const browser = await openBrowser(viewport);
      browsers.push(browser);
      const page = browser.page;
      // From the top: a full-page shot of a scrolled page draws the sticky sub-navigation where
      // the scroll left it, over whatever is there.
      const shot = async (id: string) => {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: join(OUT, `${id}-${name}.png`), fullPage: true });
      };
      await page.goto(`${node.httpUrl}/dashboard/`);
      await page.getByRole("heading", { name: "Sign in to OnAir" }).waitFor();
      await shot("sign-in");
      await page.getByLabel("SecretId", { exact: true }).first().fill(node.secretId);
      await page.getByLabel("SecretKey", { exact: true }).first().fill(node.secretKey);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("navigation", { name: "Pages" }).waitFor();
      for (const title of PAGES) {
        await page
          .getByRole("navigation", { name: "Pages" })
          .getByRole("link", { name: title })
          .click();
        await page.getByRole("heading", { level: 1, name: title }).waitFor();
        await settle(page, title);
        await shot(title.toLowerCase());
      }
    }
    process.stdout.write(`screenshots written to ${OUT}\n`);
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    for (const p of publishers) p.child.kill("SIGKILL");
    await node.stop();
    await Promise.all([ok.close(), failing.close(), standby.close(), alerts.close()]);
  }
}

/** Waits until what the page loads is on screen, so no screenshot shows a spinner. */
async function settle(page: Page, title: (typeof PAGES)[number]): Promise<void> {
  if (title === "Overview") await page.getByRole("list", { name: "Latest events" }).waitFor();
  if (title === "Streams") {
    await page.locator("tr[data-stream]").first().waitFor();
    await page.getByRole("heading", { name: "Forwards" }).waitFor();
    // Both live charts of both streams have drawn a line (a sample a second).
    await page.waitForFunction(() => document.querySelectorAll("svg polyline").length >= 4, null, {
      timeout: 20_000,
    });
  }
  if (title === "Configuration") {
    await page.getByRole("list", { name: "Callback templates" }).waitFor();
    await page.getByRole("button", { name: "Send test callback for template production" }).click();
    await page.getByRole("status", { name: "Test callback result" }).waitFor();
  }
  if (title === "Deliveries") {
    await page.getByRole("list", { name: "Operator alerts" }).waitFor();
    await page.getByRole("list", { name: "Disabled endpoints" }).waitFor();
  }
  // Images and fonts finish loading.
  await page.waitForLoadState("networkidle");
}

await main();

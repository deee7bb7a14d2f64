import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import type { OnAir } from "../../src/app.js";
import { findDashboardAssets } from "../../src/dashboard/static-route.js";
import { openBrowser } from "../helpers/browser.js";
import { readErrorBody } from "../helpers/error-body.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { type ReceiverProcess, startReceiver } from "./receiver.js";

/**
 * The dashboard in Debian's chromium, driven by playwright-core, against a real OnAir (RTMP on a
 * loopback port), a real ffmpeg publisher and a receiver process. Everything is done through the
 * UI as an operator would: sign in, configure, watch a stream appear over SSE, drop it, and
 * redeliver its failed callback until the receiver accepts it. Screenshots of every page go to
 * artifacts/dashboard/ (git-ignored).
 */

const SECRET_ID = "AKIDdashboard";
const SECRET_KEY = "dashboardSecretKey";
const DOMAIN = "push.dash.test";
const STREAM = "cam1";
const CALLBACK_KEY = "DashKey123";
const ARTIFACTS = fileURLToPath(new URL("../../../../../artifacts/dashboard/", import.meta.url));
/** UI waits: generous, since the push callback waits up to 2 s for the picture size. */
const UI_TIMEOUT_MS = 20_000;

describe("dashboard in a browser", { timeout: 180_000 }, () => {
  let node: TestOnAir | undefined;
  let onair: OnAir;
  let receiver: ReceiverProcess;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let ffmpeg: FfmpegPublisher | null = null;

  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  /** Through the navigation, as a keyboard or mouse user would: the app and its SSE stay up. */
  const goto = async (title: string) => {
    await page
      .getByRole("navigation", { name: "Pages" })
      .getByRole("link", { name: title })
      .click();
    await page.getByRole("heading", { level: 1, name: title }).waitFor();
  };

  before(async () => {
    assert.ok(findDashboardAssets(), "the dashboard is not built: run `npm run build`");
    mkdirSync(ARTIFACTS, { recursive: true });
    // Push callback accepted; the interruption fails twice, then the receiver accepts it.
    receiver = await startReceiver({ key: CALLBACK_KEY, script: "200,500,500,200" });
    node = await startTestOnAir({
      rtmp: true,
      flags: {
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        dispatcher: { pollIntervalMs: 50 },
        ingest: { idleTimeoutMs: 5000 },
      },
    });
    onair = node.onair;
    base = node.httpUrl;
    browser = await openBrowser({ width: 1280, height: 800 });
    ({ context, page } = browser);
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on("dialog", (dialog) => void dialog.accept());
  });

  after(async () => {
    ffmpeg?.child.kill("SIGKILL");
    await browser?.close();
    await node?.stop();
    await receiver?.stop();
  });

  test("without a session: the API and the event stream answer 401, the app shows only sign-in", async () => {
    const api = await fetch(`${base}/dashboard/api/DescribeLiveDomains`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(api.status, 401);
    assert.equal((await readErrorBody(api)).code, "ONAIR_ERR_AUTH_MISSING");
    const sse = await fetch(`${base}/dashboard/events`);
    assert.equal(sse.status, 401);
    await sse.body?.cancel();
    const forged = await fetch(`${base}/dashboard/api/DescribeLiveDomains`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "onair_session=forged" },
      body: "{}",
    });
    assert.equal(forged.status, 401);

    await page.goto(`${base}/dashboard/`);
    await page.getByRole("heading", { name: "Sign in to OnAir" }).waitFor();
    assert.equal(await page.getByRole("navigation", { name: "Pages" }).count(), 0);
    await page.getByLabel("SecretId", { exact: true }).fill(SECRET_ID);
    await page.getByLabel("SecretKey", { exact: true }).fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "wrong SecretId" }).waitFor();
    await shot("sign-in");
  });

  test("sign in with the management credentials; the cookie is HttpOnly and SameSite=Strict", async () => {
    await page.getByLabel("SecretKey", { exact: true }).fill(SECRET_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Pages" }).waitFor();
    const [cookie] = await context.cookies(`${base}/dashboard/`);
    assert.equal(cookie?.name, "onair_session");
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  });

  test("the sub-navigation's jump to Push URL generator lands below the sticky bar, on a laptop and a phone", async () => {
    await goto("Configuration");
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page
        .getByRole("navigation", { name: "Configuration sections" })
        .getByRole("button", { name: "Push URL generator" })
        .click();
      // Smooth scrolling: wait until the heading stops moving, then compare it with the bar.
      const gap = await page.waitForFunction(
        () => {
          const heading = document.getElementById("s-push-url-generator");
          const bar = document.querySelector(".subnav");
          if (!heading || !bar) return null;
          const top = heading.getBoundingClientRect().top;
          const w = window as unknown as { lastTop?: number };
          const still = w.lastTop === top;
          w.lastTop = top;
          return still && window.scrollY > 0 ? top - bar.getBoundingClientRect().bottom : null;
        },
        null,
        { polling: 100 },
      );
      const px = (await gap.jsonValue()) as number;
      assert.ok(
        px >= 0 && px < 60,
        `the heading is ${px} px below the bar at ${viewport.width} px`,
      );
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("configure: a domain, a push URL, a callback template (server validation shown) and a rule", async () => {
    await goto("Configuration");
    await page.getByLabel("Domain name").fill(DOMAIN);
    await page.getByRole("button", { name: "Add domain" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Added ${DOMAIN}` })
      .waitFor();

    await page.getByRole("button", { name: "New callback template" }).click();
    await page.getByLabel("Template name", { exact: true }).fill("not valid!");
    await page.getByLabel("Push callback URL").fill(receiver.url);
    await page.getByLabel("Interruption callback URL").fill(receiver.url);
    await page.getByLabel("Callback key").fill(CALLBACK_KEY);
    // No retries: a failed callback is dead at once, for the operator to redeliver.
    await page.getByLabel("Max retries").fill("0");
    await page.getByRole("button", { name: "Create template" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "TemplateName: only Chinese characters, letters, digits" })
      .waitFor();
    await page.getByLabel("Template name", { exact: true }).fill("dashboard_test");
    await page.getByRole("button", { name: "Create template" }).click();
    await page.getByRole("status").filter({ hasText: "Template 1 created." }).waitFor();

    await page.getByLabel("Rule domain").fill(DOMAIN);
    await page.getByLabel("Rule AppName").fill("live");
    await page.getByRole("button", { name: "Save rule" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Rule for ${DOMAIN}/live saved.` })
      .waitFor();
    await page.getByRole("list", { name: "Callback rules" }).getByText(`${DOMAIN}/live`).waitFor();

    // "Save rule" on a bound pair switches its template (CreateLiveCallbackRule would refuse it
    // with InternalError.RuleAlreadyExist), and back again for the rest of this run.
    const alt = await onair.store.templates.create({
      name: "dashboard_alt",
      description: "",
      urls: { StreamBeginNotifyUrl: receiver.url },
      recordExceptionLevels: [],
      callbackKey: CALLBACK_KEY,
      previousKeys: [],
      retryPolicy: null,
      perStreamOrdering: false,
    });
    await goto("Overview");
    await goto("Configuration");
    const rebind = async (to: number, from: number) => {
      await page.getByLabel("Rule domain").fill(DOMAIN);
      await page.getByLabel("Rule AppName").fill("live");
      await page.getByLabel("Rule template").selectOption(String(to));
      await page.getByRole("button", { name: "Save rule" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `Rule for ${DOMAIN}/live now uses template ${to} (was ${from}).` })
        .waitFor();
      await page
        .getByRole("list", { name: "Callback rules" })
        .getByRole("listitem")
        .filter({ hasText: `${DOMAIN}/live` })
        .getByText(`→ template ${to}`)
        .waitFor();
    };
    await rebind(alt.id, 1);
    await rebind(1, alt.id);
    assert.deepEqual(
      (await onair.store.rules.list()).map((r) => [r.domainName, r.appName, r.templateId]),
      [[DOMAIN, "live", 1]],
      "one rule, bound to template 1 again",
    );
    await onair.store.templates.delete(alt.id);

    await page.getByLabel("Stream name", { exact: true }).fill(STREAM);
    await page.getByRole("button", { name: "Generate" }).click();
    const local = await page.getByLabel("Push URL for this server").inputValue();
    assert.match(
      local,
      new RegExp(
        `^rtmp://127\\.0\\.0\\.1:${onair.rtmpPort}/live/${STREAM}\\?domain=${DOMAIN}&txSecret=[0-9a-f]{32}&txTime=[0-9A-F]{8}$`,
      ),
    );

    // Screenshots (docs/snapshots.md), in their own section: a refused interval first.
    await page.getByLabel("Screenshot template name", { exact: true }).fill("dashboard_shots");
    await page.getByLabel("Screenshot interval (s)").fill("1");
    await page.getByRole("button", { name: "Create screenshot template" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "SnapshotInterval must be between 2 and 300 seconds" })
      .waitFor();
    await page.getByLabel("Screenshot interval (s)").fill("5");
    await page.getByRole("button", { name: "Create screenshot template" }).click();
    await page.getByRole("status").filter({ hasText: "Screenshot template 1 created." }).waitFor();
    await page
      .getByRole("list", { name: "Screenshot templates" })
      .getByRole("listitem")
      .filter({ hasText: "dashboard_shots" })
      .getByText("every 5 s · source size · porn detection off")
      .waitFor();
    await page.getByLabel("Screenshot domain").fill(DOMAIN);
    await page.getByLabel("Screenshot AppName").fill("live");
    await page.getByRole("button", { name: "Save screenshot rule" }).click();
    await page
      .getByRole("list", { name: "Screenshot rules" })
      .getByRole("listitem")
      .filter({ hasText: `${DOMAIN}/live/*` })
      .getByText("→ screenshot template 1")
      .waitFor();
    await shot("configuration");

    await goto("Streams");
    ffmpeg = publishWithFfmpeg(local);
  });

  test("a new push appears live (SSE, no reload), on Streams and on the Overview", async () => {
    // The page was loaded before ffmpeg started: only the event stream can make the row appear.
    await page.locator(`tr[data-stream="${STREAM}"]`).waitFor();
    await page.locator(`tr[data-stream="${STREAM}"]`).getByText("640×360").waitFor();
    await shot("streams");
    await goto("Overview");
    await page.getByRole("list", { name: "Live streams" }).getByText(STREAM).waitFor();
    const screenshot = page.getByRole("img", { name: `Latest screenshot of ${STREAM}` });
    await screenshot.waitFor();
    assert.match(
      String(await screenshot.getAttribute("src")),
      /^\/files\/snapshot\/push\.dash\.test\/live\//,
    );
    await page.waitForFunction(
      (alt) =>
        (document.querySelector(`img[alt="${alt}"]`) as HTMLImageElement | null)?.naturalWidth ===
        640,
      `Latest screenshot of ${STREAM}`,
    );
    // The figures follow within a moment of the event, pushed over the same stream.
    await page
      .locator(".figure", { hasText: "Streams on air" })
      .getByText("1", { exact: true })
      .waitFor();
    await page
      .getByRole("list", { name: "Latest events" })
      .getByRole("listitem")
      .filter({ has: page.getByText("push", { exact: true }), hasText: `${DOMAIN}/live/${STREAM}` })
      .waitFor();
    await shot("overview");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("overview-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("drop it from the UI: the history shows the interruption with errcode 21 and its meaning", async () => {
    await goto("Streams");
    await page.getByRole("button", { name: `Drop ${STREAM}` }).click();
    await page.getByRole("status").filter({ hasText: "Dropped" }).waitFor();
    await page.locator(`tr[data-stream="${STREAM}"]`).waitFor({ state: "detached" });
    await page.getByRole("cell", { name: /^21: / }).waitFor();
    await ffmpeg?.exited;
    await shot("streams-history");
  });

  test("the interruption's failed delivery shows its attempts and is redelivered until it succeeds", async () => {
    await goto("Deliveries");
    await page.getByLabel("Stream", { exact: true }).fill(STREAM);
    await page.getByLabel("Event type").selectOption("0");
    await page.getByRole("button", { name: "Apply filter" }).click();
    const row = page.locator("tr[data-delivery]");
    // The filtered list: only the interruption's delivery, dead after its one attempt (a 500).
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll("tr[data-delivery]");
      return rows.length === 1 && rows[0]?.getAttribute("data-status") === "dead";
    });
    const id = await row.getAttribute("data-delivery");
    assert.ok(id);
    await page.getByRole("button", { name: `Attempts of ${id}` }).click();
    await page
      .getByRole("table", { name: `Attempts of ${id}` })
      .getByText("500")
      .first()
      .waitFor();
    await shot("deliveries-dead");

    const attempts = page.getByRole("table", { name: `Attempts of ${id}` });
    const settled = page.locator(`tr[data-delivery="${id}"]:not([data-status="pending"])`);
    for (let round = 1; ; round++) {
      assert.ok(round <= 3, "delivered within three redeliveries");
      await page.getByRole("button", { name: `Redeliver ${id}` }).click();
      await page.getByRole("status").filter({ hasText: "Requeued 1 delivery." }).waitFor();
      // Each redelivery is one more attempt; the list and the attempts follow without a reload.
      await attempts.locator("tbody tr").nth(round).waitFor();
      if ((await settled.getAttribute("data-status")) === "delivered") break;
    }
    assert.equal(await attempts.locator("tbody tr").count(), 3, "500, 500, then 200");
    await attempts.getByText("200", { exact: true }).waitFor();
    await shot("deliveries");

    const accepted = receiver.received.filter(
      (r) => r.verified && r.reply === "200" && r.event?.event_type === 0,
    );
    assert.equal(accepted.length, 1);
    assert.equal(accepted[0]?.event?.errcode, 21);
  });

  test("a pending delivery shows when it is tried next (the store's next attempt) and how soon", async () => {
    const failing = await startReceiver({ key: CALLBACK_KEY, script: "500" });
    try {
      const template = await onair.store.templates.create({
        name: "dashboard_retry",
        description: "",
        urls: { StreamBeginNotifyUrl: failing.url },
        recordExceptionLevels: [],
        callbackKey: CALLBACK_KEY,
        previousKeys: [],
        // Ten minutes between attempts: after the first 500 the delivery waits, pending.
        retryPolicy: { maxRetries: 3, intervalMs: 600_000, timeoutMs: 5000, jitter: 0 },
        perStreamOrdering: false,
      });
      await onair.store.rules.upsert({
        domainName: "retry.dash.test",
        appName: "",
        templateId: template.id,
      });
      await onair.events.commit({
        body: { event_type: 1, stream_id: "retrycam" },
        domainName: "retry.dash.test",
        appName: "live",
        streamId: "retrycam",
        source: "intake",
      });
      await failing.waitFor(1);
      const delivery = await waitFor("the delivery tried once", async () => {
        const { items } = await onair.store.deliveries.list({ streamId: "retrycam", limit: 1 });
        return items[0]?.attempts === 1 ? items[0] : null;
      });
      assert.equal(delivery.status, "pending");
      assert.equal(delivery.attempts, 1);

      await goto("Deliveries");
      await page.getByLabel("Stream", { exact: true }).fill("retrycam");
      await page.getByLabel("Event type").selectOption("");
      await page.getByRole("button", { name: "Apply filter" }).click();
      const row = page.locator(`tr[data-delivery="${delivery.id}"][data-status="pending"]`);
      const next = row.locator(".next-attempt");
      await next.filter({ hasText: /\(in 9 min \d\d s\)|\(in 10 min 00 s\)/ }).waitFor();
      assert.equal(
        await next.locator("time").getAttribute("datetime"),
        delivery.nextAttemptAt.toISOString(),
        "the time shown is the store's next_attempt_at",
      );
      assert.match((await next.textContent()) ?? "", /^Next attempt /);
      await shot("deliveries-pending");
    } finally {
      await failing.stop();
    }
  });

  test("signing out ends the session: the API refuses the old cookie", async () => {
    const [cookie] = await context.cookies(`${base}/dashboard/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to OnAir" }).waitFor();
    const res = await fetch(`${base}/dashboard/api/DashboardOverview`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `onair_session=${cookie?.value}` },
      body: "{}",
    });
    assert.equal(res.status, 401);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { EventType } from "@onair/callbacks";
import type { Page } from "playwright-core";
import { findDashboardAssets } from "../../src/dashboard/static-route.js";
import { openBrowser } from "../helpers/browser.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import { type RecordingReceiver, startRecordingReceiver } from "../helpers/recording-receiver.js";
import { dropSchemas, schemaUrl, uniqueSchema } from "../helpers/test-database.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { pushBody } from "./push-body.js";

/**
 * Two OnAir nodes on one real PostgreSQL, and a browser (Debian's chromium through
 * playwright-core) that signs in through node B only: the session works on either node (it is
 * in the store) and the live feed of B shows an event committed on A (read from the store). Then
 * the template's "Send test callback" button, with the receiver's answer on screen.
 */
describe("dashboard with two nodes on one PostgreSQL", { timeout: 60_000 }, () => {
  const schema = uniqueSchema("onair_dash_nodes");
  let a: TestOnAir;
  let b: TestOnAir;
  let receiver: RecordingReceiver;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;

  before(async () => {
    assert.ok(findDashboardAssets(), "the dashboard is not built: run `npm run build`");
    receiver = await startRecordingReceiver();
    receiver.answer(200, '{"code":0,"from":"the test receiver"}');
    const flags = (nodeId: string) => ({ databaseUrl: schemaUrl(schema), nodeId });
    a = await startTestOnAir({ flags: flags("node-a") });
    b = await startTestOnAir({ flags: flags("node-b") });
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await b?.stop();
    await a?.stop();
    await receiver?.close();
    await dropSchemas(schema);
  });

  test("signed in through node B, the session is valid on node A too", async () => {
    await page.goto(`${b.httpUrl}/dashboard/`);
    await page.getByLabel("SecretId", { exact: true }).first().fill(b.secretId);
    await page.getByLabel("SecretKey", { exact: true }).first().fill(b.secretKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Pages" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    const [cookie] = await browser.context.cookies(`${b.httpUrl}/dashboard/`);
    assert.ok(cookie);
    // The same cookie, sent to the other node: no sticky session needed.
    const onA = await fetch(`${a.httpUrl}/dashboard/api/DashboardOverview`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `${cookie.name}=${cookie.value}` },
      body: "{}",
    });
    assert.equal(onA.status, 200);
  });

  test("an event committed on node A appears in the live feed of the browser on node B", async () => {
    const body = pushBody("push.nodes.test", 1, 9_000_000_000_000_000_000n);
    body.stream_id = "from_node_a";
    await a.onair.events.commit({
      body,
      domainName: "push.nodes.test",
      appName: "live",
      streamId: "from_node_a",
      source: "intake",
    });
    const feed = page.getByRole("list", { name: "Latest events" });
    await feed.getByText("push.nodes.test/live/from_node_a").waitFor();
    assert.match((await feed.textContent()) ?? "", /push/);
  });

  test("the template's Send test callback button shows the receiver's answer", async () => {
    await routeCallbacks(a.onair.store, {
      urls: { StreamBeginNotifyUrl: receiver.url },
      callbackKey: "NodesKey",
      domainName: "push.nodes.test",
      appName: "live",
    });
    await page
      .getByRole("navigation", { name: "Pages" })
      .getByRole("link", { name: "Configuration" })
      .click();
    await page.getByRole("button", { name: "Send test callback for template test" }).click();
    const result = page.getByRole("status", { name: "Test callback result" });
    await result.getByText(/HTTP 200 · \d+ ms/).waitFor();
    assert.match((await result.textContent()) ?? "", /the test receiver/);
    const got = receiver.received.at(-1);
    assert.equal(got?.json.event_type, EventType.Push);
    assert.equal(got?.json.onair_test, true);
  });

  test("Deliveries on node B: a disabled endpoint is enabled with one click, the alert is listed", async () => {
    await a.onair.store.endpoints.disable(receiver.url, new Date(), "failing for 432000 s");
    await page
      .getByRole("navigation", { name: "Pages" })
      .getByRole("link", { name: "Deliveries" })
      .click();
    const disabled = page.getByRole("list", { name: "Disabled endpoints" });
    await disabled.getByText(receiver.url).waitFor();
    await page
      .getByRole("button", { name: `Enable ${receiver.url} and redeliver what it held back` })
      .click();
    await page
      .getByRole("status")
      .filter({ hasText: `${receiver.url} enabled` })
      .waitFor();
    const alerts = page.getByRole("list", { name: "Operator alerts" });
    await alerts.getByText(`callback endpoint ${receiver.url} enabled again`).waitFor();
    assert.equal((await a.onair.store.endpoints.get(receiver.url))?.disabledAt, null);
  });
});

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { findDashboardAssets } from "../../src/dashboard/static-route.js";
import {
  type DocAddresses,
  type DocBlock,
  docBlocks,
  runTsBlock,
  withTestAddresses,
} from "../helpers/doc-blocks.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { assertInlineFormRows } from "../helpers/form-rows.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { type ReceiverProcess, startReceiver } from "./receiver.js";

/**
 * A newcomer's path, run literally: the README's SDK setup, then the TypeScript blocks of
 * docs/recording.md and docs/snapshots.md in order, then the README's ffmpeg command. Only the
 * ports are the test's own (withTestAddresses). The receiver must get the recording file (100),
 * the screenshot (200) and the recording status (332). Then a template with only the push URLs
 * (the README's template before issue 14) on a domain with recording and screenshot rules:
 * OnAir stores the events, sends nothing, and says so once per type in the log and on the
 * dashboard's overview.
 */

const CHROMIUM = "/usr/bin/chromium";
const CALLBACK_KEY = "MyCallbackKey2024";

function tsBlocks(file: string, must: string): DocBlock[] {
  const blocks = docBlocks(file).filter((b) => b.lang === "ts" && !b.illustrative);
  assert.ok(
    blocks.some((b) => b.code.includes(must)),
    `${file} has no runnable ts block with ${must}`,
  );
  return blocks;
}

describe("following README.md, docs/recording.md and docs/snapshots.md", {
  timeout: 90_000,
}, () => {
  let node: TestOnAir;
  let receiver: ReceiverProcess;
  let at: DocAddresses;
  const logs = captureLogs("warn");

  before(async () => {
    receiver = await startReceiver({ key: CALLBACK_KEY });
    node = await startTestOnAir({ rtmp: true, logger: logs.logger });
    at = {
      http: `127.0.0.1:${node.onair.httpPort}`,
      rtmpPort: node.onair.rtmpPort ?? 0,
      receiverUrl: receiver.url,
    };
  });
  after(async () => {
    await node?.stop();
    await receiver?.stop();
  });

  test("the documented setup and push deliver 100, 200 and 332", async () => {
    const [setup] = tsBlocks("README.md", "CreateLiveCallbackTemplate").filter((b) =>
      b.code.includes("CreateLiveCallbackTemplate"),
    );
    assert.ok(setup);
    const scope: Record<string, unknown> = { secretId: node.secretId, secretKey: node.secretKey };
    const { live } = await runTsBlock(setup, withTestAddresses(setup.code, at), scope);
    assert.ok(live, "the README's block defines the SDK client `live`");
    for (const file of ["docs/recording.md", "docs/snapshots.md"]) {
      for (const block of tsBlocks(file, "live.")) {
        await runTsBlock(block, withTestAddresses(block.code, at), { live });
      }
    }
    // The template the docs leave bound still has a URL for every type the README's had: a
    // doc's own template does not silently drop, say, 341 or 321.
    const readmeFields = [...setup.code.matchAll(/(\w+NotifyUrl): url/g)].map((m) => m[1]);
    assert.ok(readmeFields.length >= 8, "the README's template names its URLs");
    const { Rules } = await node.sdk.DescribeLiveCallbackRules();
    const rule = Rules?.find((r) => r.DomainName === "push.example.com" && r.AppName === "live");
    assert.ok(rule, "the docs bind a callback template to push.example.com/live");
    const { Template } = await node.sdk.DescribeLiveCallbackTemplate({
      TemplateId: rule.TemplateId ?? 0,
    });
    const bound = Template as Record<string, unknown> | undefined;
    assert.deepEqual(
      readmeFields.filter((field) => !bound?.[field as string]),
      [],
      `${Template?.TemplateName} has a URL for each of the README's types`,
    );

    const push = docBlocks("README.md").find(
      (b) => b.lang === "sh" && b.code.trimStart().startsWith("ffmpeg"),
    );
    assert.ok(push, "the README shows an ffmpeg push");
    const ffmpeg = spawn("bash", ["-c", `exec ${withTestAddresses(push.code, at)}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const types = () => new Set(receiver.received.map((r) => Number(r.event?.event_type)));
    try {
      await waitFor("the push (1), a screenshot (200) and record_start_succeeded (332)", () =>
        [1, 200, 332].every((t) => types().has(t)),
      );
    } finally {
      // ffmpeg stops on SIGINT as on Ctrl-C: the file closes and is reported.
      ffmpeg.kill("SIGINT");
    }
    await waitFor(
      () => `events 100 and 0 (got ${[...types()].join(", ")})`,
      () => types().has(100) && types().has(0),
    );
    assert.ok(
      receiver.received.every((r) => r.verified),
      "every callback verified",
    );
    const record = receiver.received.find((r) => r.event?.event_type === 100)?.event;
    assert.equal(record?.file_format, "flv");
    assert.equal(record?.stream_id, "cam1");
    const missing = logs.lines.filter((l) => "urlField" in l);
    assert.deepEqual(missing, [], "the documented templates leave no event type without a URL");
  });

  test("a template without the recording and screenshot URLs: warned once per type, in the log and the dashboard", async () => {
    const live = node.sdk;
    const { TemplateId } = await live.CreateLiveCallbackTemplate({
      TemplateName: "push_only",
      StreamBeginNotifyUrl: receiver.url,
      StreamEndNotifyUrl: receiver.url,
      CallbackKey: CALLBACK_KEY,
    });
    const domain = "old.example.com";
    await live.CreateLiveCallbackRule({
      DomainName: domain,
      AppName: "",
      TemplateId: TemplateId ?? 0,
    });
    const rec = await live.CreateLiveRecordTemplate({
      TemplateName: "flv",
      FlvParam: { RecordInterval: 1800, StorageTime: 0, Enable: 1 },
    });
    await live.CreateLiveRecordRule({ DomainName: domain, TemplateId: rec.TemplateId ?? 0 });
    const snap = await live.CreateLiveSnapshotTemplate({
      TemplateName: "snap",
      SnapshotInterval: 10,
      CosAppId: 0,
      CosBucket: "",
      CosRegion: "",
    });
    await live.CreateLiveSnapshotRule({ DomainName: domain, TemplateId: snap.TemplateId ?? 0 });

    const before = receiver.received.length;
    for (const stream of ["a", "b"]) {
      const publisher = publishWithFfmpeg(node.rtmpUrl(`live/${stream}?domain=${domain}`), {
        seconds: 2,
      });
      await publisher.exited;
    }
    const warnings = () =>
      logs.lines.filter((l) => l.templateId === Number(TemplateId) && "urlField" in l);
    await waitFor("warnings for 100, 200 and 332", () => warnings().length >= 3);
    // Both publishes committed every type; each (template, type) was told once.
    const fields = warnings().map((l) => `${l.eventType} ${l.urlField}`);
    assert.deepEqual(fields.sort(), [
      "100 RecordNotifyUrl",
      "200 SnapshotNotifyUrl",
      "332 RecordStatusNotifyUrl",
    ]);
    assert.ok(warnings().every((l) => l.level === 40 && String(l.msg).includes("push_only")));
    const sent = receiver.received.slice(before).map((r) => Number(r.event?.event_type));
    assert.deepEqual([...new Set(sent)].sort(), [0, 1], "only push and interruption were sent");

    assert.ok(findDashboardAssets(), "the dashboard is not built: run `npm run build`");
    const profile = mkdtempSync(join(tmpdir(), "onair-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
      viewport: { width: 1400, height: 900 },
      // Not UTC, so the zone the dashboard prints is visibly the browser's own.
      timezoneId: "Asia/Tokyo",
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(15_000);
      await page.goto(`${node.httpUrl}/dashboard/`);
      await page.getByLabel("SecretKey", { exact: true }).waitFor();
      // One control answers to "SecretId": the sign-in mode's radio no longer shares the name.
      assert.equal(await page.getByLabel("SecretId").count(), 1);
      await page.getByLabel("SecretId", { exact: true }).fill(node.secretId);
      await page.getByLabel("SecretKey", { exact: true }).fill(node.secretKey);
      await page.getByRole("button", { name: "Sign in" }).click();
      const warning = page.getByRole("region", { name: "Events not sent" });
      for (const field of ["RecordNotifyUrl", "SnapshotNotifyUrl", "RecordStatusNotifyUrl"]) {
        await warning.getByText(field).waitFor();
      }
      await warning.getByText("push_only").first().waitFor();
      // "Latest events" comes filled from the history, before the feed says anything new.
      const feed = page.getByRole("list", { name: "Latest events" });
      await feed.getByText(`${domain}/live/b`).first().waitFor();
      // Every time says its zone (docs/clocks.md): here the browser's, Tokyo's UTC+9.
      assert.match((await feed.locator("time").first().textContent()) ?? "", /GMT\+9/);

      await page
        .getByRole("navigation", { name: "Pages" })
        .getByRole("link", { name: "Configuration" })
        .click();
      // Never added with AddLiveDomain, but it has rules: listed, and offered by the generator.
      await page
        .getByRole("list", { name: "Domains in use, not added" })
        .getByText(domain, { exact: true })
        .waitFor();
      const generator = page.getByLabel("Push domain");
      assert.ok(
        (await generator.locator("option").allTextContents()).includes(`${domain} (not added)`),
      );
      // Controls of one form line are level; on a phone, a button that wraps alone sits one
      // row gap under the fields, with no label line above it.
      const laptop = await assertInlineFormRows(page, 1400);
      await page.setViewportSize({ width: 390, height: 844 });
      const phone = await assertInlineFormRows(page, 390);
      assert.ok(phone > laptop, `buttons wrap alone on a phone (${phone}, ${laptop} at 1400 px)`);
      await page.setViewportSize({ width: 1400, height: 900 });
      const wiring = page.getByLabel("URLs of template push_only");
      await wiring.getByText("not sent (no URL)").first().waitFor();
      assert.equal(await wiring.getByText(receiver.url).count(), 2);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

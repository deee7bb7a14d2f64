import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { buildPushEvent, hasValidWebhookSignature, isValidSign, signBody } from "@onair/callbacks";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness, TEST_INTAKE_TOKEN } from "./ingest-harness.js";

/**
 * Key rotation end to end: after ModifyLiveCallbackTemplate changes the CallbackKey, a receiver
 * that still knows only the old key keeps verifying `webhook-signature` (OnAir signs with both
 * keys during the overlap window), while `sign` = MD5(key + t) moves to the new key at once.
 */
let h: IngestHarness;
let app: Server;
const requests: { headers: IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  h = await startIngestHarness();
  app = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(200).end('{"code":0}');
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
});
after(async () => {
  await h.stop();
  await new Promise((resolve) => app.close(resolve));
});

test("a receiver on the old CallbackKey keeps verifying webhook-signature after a rotation", async () => {
  const sdk = h.sdk;
  const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callbacks`;
  const { TemplateId } = await sdk.CreateLiveCallbackTemplate({
    TemplateName: "rotation",
    StreamBeginNotifyUrl: url,
    CallbackKey: "OldKey0001",
  });
  await sdk.CreateLiveCallbackRule({
    DomainName: "rotate.example.com",
    AppName: "live",
    TemplateId: TemplateId as number,
  });
  await sdk.ModifyLiveCallbackTemplate({
    TemplateId: TemplateId as number,
    CallbackKey: "NewKey0002",
  });

  const body = buildPushEvent({
    appid: 1,
    app: "rotate.example.com",
    appname: "live",
    stream_id: "s1",
    event_time: Math.floor(Date.now() / 1000),
    sequence: "5000000000000000001",
    node: "127.0.0.1",
    user_ip: "127.0.0.1",
    stream_param: "",
    set_id: 2,
    idc_id: 0,
  });
  const intake = await fetch(`http://127.0.0.1:${h.onair.httpPort}/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_INTAKE_TOKEN}`, "content-type": "application/json" },
    // Intake takes Tencent-shaped (signed) events and re-signs them for each template.
    body: JSON.stringify(signBody(body, { key: "IntegrationKey", nowMs: Date.now() })),
  });
  assert.equal(intake.status, 202);
  await waitFor("the callback", () => requests.length > 0, { timeoutMs: 10_000 });
  const [request] = requests;
  assert.ok(request, "the callback arrived");
  const header = String(request.headers["webhook-signature"]);
  assert.equal(
    header.split(" ").filter((s) => s.startsWith("v1,")).length,
    2,
    "signed with both keys",
  );
  const signed = {
    id: String(request.headers["webhook-id"]),
    timestamp: String(request.headers["webhook-timestamp"]),
    header,
    body: request.body,
  };
  assert.ok(
    hasValidWebhookSignature({ ...signed, keys: ["OldKey0001"] }),
    "old key still verifies",
  );
  assert.ok(hasValidWebhookSignature({ ...signed, keys: ["NewKey0002"] }), "new key verifies");
  assert.ok(!hasValidWebhookSignature({ ...signed, keys: ["SomeOtherKey"] }));
  const parsed = JSON.parse(request.body) as { t: number; sign: string };
  assert.ok(isValidSign("NewKey0002", parsed.t, parsed.sign), "sign uses the new key");
  assert.ok(!isValidSign("OldKey0001", parsed.t, parsed.sign));
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { formatBeijingTime, formatUtcTime } from "../../src/api/tencent-time.js";
import { TENCENT_INTL_RETRY_POLICY } from "../../src/domain/retry-policy.js";
import type { AttemptRecord } from "../../src/store/store.js";
import {
  type ApiServer,
  endpointClient,
  type LiveClient,
  startApiServer,
} from "./helpers/api-server.js";

const URL_A = "http://127.0.0.1:9/a";
const URL_B = "http://127.0.0.1:9/b";

function attempt(at: number, fields: Partial<AttemptRecord>): AttemptRecord {
  return {
    startedAt: new Date(at),
    durationMs: 250,
    statusCode: null,
    errorCode: null,
    errorMessage: null,
    requestBody: '{"event_type":1}',
    responseSnippet: null,
    ...fields,
  };
}

function withoutRequestId(reply: object): object {
  const { RequestId, ...rest } = reply as { RequestId?: string };
  assert.match(RequestId ?? "", /^[0-9a-f-]{36}$/);
  return rest;
}

async function rejectsWith(call: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(call, (err: { code?: string; message?: string }) => {
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/**
 * Real deliveries and attempts in the real SQLite store, made the way the dispatcher makes them
 * (append → claimDue → recordAttempt), then read back through the API with the official SDK.
 */
describe("delivery log: DescribeCallbackRecordsList and OnAir's delivery actions", () => {
  let api: ApiServer;
  let client: LiveClient;
  const now = Date.now();
  const ids = { a: "msg_api_test_a", b: "msg_api_test_b", c: "msg_api_test_c" };

  before(async () => {
    api = await startApiServer();
    client = endpointClient(api.port);
    const { TemplateId } = await client.CreateLiveCallbackTemplate({
      TemplateName: "log",
      StreamBeginNotifyUrl: URL_A,
      StreamEndNotifyUrl: URL_B,
    });
    const templateId = TemplateId ?? 0;
    const event = (id: string, eventType: number, streamId: string, at: number) => ({
      id,
      eventType,
      domainName: "push.example.com",
      appName: "live",
      streamId,
      body: { event_type: eventType, stream_id: streamId },
      source: "intake" as const,
      createdAt: new Date(at),
    });
    const delivery = (id: string, url: string) => ({
      id,
      templateId,
      url,
      policy: { ...TENCENT_INTL_RETRY_POLICY },
      orderingKey: null,
    });
    await api.store.events.append(event("evt_a", 1, "s1", now - 130_000), [delivery(ids.a, URL_A)]);
    await api.store.events.append(event("evt_b", 0, "s1", now - 100_000), [delivery(ids.b, URL_B)]);
    await api.store.events.append(event("evt_c", 1, "s2", now - 95_000), [delivery(ids.c, URL_A)]);

    const claim = async (at: number, id: string) => {
      const claimed = await api.store.deliveries.claimDue({
        owner: "node-t",
        now: new Date(at),
        leaseMs: 60_000,
        limit: 10,
      });
      assert.ok(
        claimed.some((c) => c.delivery.id === id),
        `${id} is claimable at ${at}`,
      );
    };
    await claim(now - 120_000, ids.a);
    await api.store.deliveries.recordAttempt({
      deliveryId: ids.a,
      owner: "node-t",
      attempt: attempt(now - 120_000, {
        statusCode: 500,
        errorCode: "http_status",
        responseSnippet: "oops",
      }),
      next: new Date(now - 60_000),
    });
    await claim(now - 90_000, ids.b);
    await api.store.deliveries.recordAttempt({
      deliveryId: ids.b,
      owner: "node-t",
      attempt: attempt(now - 90_000, {
        errorCode: "timeout",
        errorMessage: "no reply within 20000 ms",
        requestBody: '{"event_type":0}',
      }),
      next: "dead",
    });
    await api.store.deliveries.recordAttempt({
      deliveryId: ids.c,
      owner: "node-t",
      attempt: attempt(now - 85_000, { statusCode: 503 }),
      next: new Date(now + 3600_000),
    });
    await claim(now - 60_000, ids.a);
    await api.store.deliveries.recordAttempt({
      deliveryId: ids.a,
      owner: "node-t",
      attempt: attempt(now - 60_000, { statusCode: 200, responseSnippet: '{"code":0}' }),
      next: "delivered",
    });
  });
  after(async () => {
    await api.close();
  });

  const window = (fromMs: number, toMs: number, format = formatUtcTime) => ({
    StartTime: format(new Date(now + fromMs)),
    EndTime: format(new Date(now + toMs)),
  });

  test("one CallbackEventInfo per attempt, oldest first, in the request's time format", async () => {
    const reply = await client.DescribeCallbackRecordsList({
      ...window(-3600_000, 60_000),
      StreamName: "s1",
      PageNum: 1,
      PageSize: 10,
    });
    assert.equal(reply.TotalNum, 3);
    assert.equal(reply.TotalPage, 1);
    assert.deepEqual(
      reply.DataInfoList?.map((r) => [r.EventType, r.ResultCode, r.Response]),
      [
        [1, 500, "oops"],
        [0, -1, "timeout: no reply within 20000 ms"],
        [1, 0, '{"code":0}'],
      ],
    );
    const first = reply.DataInfoList?.[0];
    assert.equal(first?.EventTime, formatUtcTime(new Date(now - 120_000)));
    assert.equal(first?.ResponseTime, formatUtcTime(new Date(now - 120_000 + 250)));
    assert.equal(first?.StreamId, "s1");
    assert.equal(first?.Request, '{"event_type":1}');

    const beijing = await client.DescribeCallbackRecordsList({
      ...window(-3600_000, 60_000, formatBeijingTime),
      StreamName: "s1",
      PageNum: 1,
      PageSize: 10,
    });
    assert.equal(beijing.DataInfoList?.[0]?.EventTime, formatBeijingTime(new Date(now - 120_000)));
  });

  test("filters (ResultCode, EventType, time window) and pages", async () => {
    const base = { ...window(-3600_000, 60_000), StreamName: "s1", PageNum: 1, PageSize: 10 };
    const ok = await client.DescribeCallbackRecordsList({ ...base, ResultCode: 0 });
    assert.deepEqual(
      ok.DataInfoList?.map((r) => r.ResultCode),
      [0],
    );
    const interruptions = await client.DescribeCallbackRecordsList({ ...base, EventType: 0 });
    assert.deepEqual(
      interruptions.DataInfoList?.map((r) => r.EventType),
      [0],
    );
    const late = await client.DescribeCallbackRecordsList({ ...base, ...window(-100_000, 0) });
    assert.equal(late.TotalNum, 2, "the attempt before StartTime is left out");
    const page2 = await client.DescribeCallbackRecordsList({ ...base, PageSize: 2, PageNum: 2 });
    assert.equal(page2.TotalNum, 3);
    assert.equal(page2.TotalPage, 2);
    assert.deepEqual(
      page2.DataInfoList?.map((r) => r.ResultCode),
      [0],
    );
    const other = await client.DescribeCallbackRecordsList({ ...base, StreamName: "s2" });
    assert.deepEqual(
      other.DataInfoList?.map((r) => r.ResultCode),
      [503],
    );
  });

  test("bad windows and missing parameters get Tencent's codes", async () => {
    const base = { StreamName: "s1", PageNum: 1, PageSize: 10 };
    await rejectsWith(
      client.DescribeCallbackRecordsList({ ...base, ...window(-2 * 86_400_000, 0) }),
      "InvalidParameterValue",
    );
    await rejectsWith(
      client.DescribeCallbackRecordsList({ ...base, ...window(0, -60_000) }),
      "InvalidParameterValue",
    );
    await rejectsWith(
      client.DescribeCallbackRecordsList({ ...base, StartTime: "yesterday", EndTime: "today" }),
      "InvalidParameterValue",
    );
    await rejectsWith(
      client.DescribeCallbackRecordsList({
        ...window(-60_000, 0),
        PageNum: 1,
        PageSize: 10,
      } as never),
      "MissingParameter",
    );
  });

  test("DescribeCallbackDeliveries filters and pages with a cursor", async () => {
    type Page = { Deliveries: { DeliveryId: string; Status: string }[]; NextCursor: string };
    const dead = (await client.request("DescribeCallbackDeliveries", {
      Status: ["dead"],
    })) as Page;
    assert.deepEqual(
      dead.Deliveries.map((d) => d.DeliveryId),
      [ids.b],
    );
    const first = (await client.request("DescribeCallbackDeliveries", {
      StreamName: "s1",
      Limit: 1,
    })) as Page;
    assert.deepEqual(
      first.Deliveries.map((d) => d.DeliveryId),
      [ids.b],
      "newest first",
    );
    assert.notEqual(first.NextCursor, "");
    const second = (await client.request("DescribeCallbackDeliveries", {
      StreamName: "s1",
      Limit: 1,
      Cursor: first.NextCursor,
    })) as Page;
    assert.deepEqual(
      second.Deliveries.map((d) => [d.DeliveryId, d.Status]),
      [[ids.a, "delivered"]],
    );
    assert.equal(second.NextCursor, "", "no page after the last");
    const byUrl = (await client.request("DescribeCallbackDeliveries", {
      Url: URL_A,
      EventTypes: [1],
      ...window(-3600_000, 1000),
    })) as Page;
    assert.deepEqual(byUrl.Deliveries.map((d) => d.DeliveryId).sort(), [ids.a, ids.c].sort());
    await rejectsWith(
      client.request("DescribeCallbackDeliveries", { Status: ["lost"] }),
      "InvalidParameterValue",
    );
  });

  test("DescribeCallbackDeliveryAttempts shows every attempt", async () => {
    type Reply = {
      Delivery: { DeliveryId: string; Status: string; Attempts: number; Url: string };
      Attempts: {
        Number: number;
        StatusCode: number | null;
        ErrorCode: string;
        Response: string;
      }[];
    };
    const a = (await client.request("DescribeCallbackDeliveryAttempts", {
      DeliveryId: ids.a,
    })) as Reply;
    assert.equal(a.Delivery.Status, "delivered");
    assert.equal(a.Delivery.Url, URL_A);
    assert.deepEqual(
      a.Attempts.map((x) => [x.Number, x.StatusCode, x.Response]),
      [
        [1, 500, "oops"],
        [2, 200, '{"code":0}'],
      ],
    );
    const b = (await client.request("DescribeCallbackDeliveryAttempts", {
      DeliveryId: ids.b,
    })) as Reply;
    assert.deepEqual(
      b.Attempts.map((x) => [x.StatusCode, x.ErrorCode]),
      [[null, "timeout"]],
    );
    await rejectsWith(
      client.request("DescribeCallbackDeliveryAttempts", { DeliveryId: "msg_nope" }),
      "ResourceNotFound",
    );
  });

  test("RedeliverCallbacks: DryRun lists, a real run requeues and wakes the dispatcher", async () => {
    type Reply = { DeliveryIds: string[]; TotalCount: number; DryRun: boolean };
    const wakes = api.wakes;
    const dry = (await client.request("RedeliverCallbacks", {
      AllDead: true,
      DryRun: true,
    })) as Reply;
    assert.deepEqual(withoutRequestId(dry), { DeliveryIds: [ids.b], TotalCount: 1, DryRun: true });
    assert.equal(
      (await api.store.deliveries.get(ids.b))?.status,
      "dead",
      "a dry run changes nothing",
    );
    assert.equal(api.wakes, wakes);

    const byRange = (await client.request("RedeliverCallbacks", {
      Status: ["delivered"],
      StreamName: "s1",
      DryRun: true,
    })) as Reply;
    assert.deepEqual(byRange.DeliveryIds, [ids.a]);

    const real = (await client.request("RedeliverCallbacks", { DeliveryIds: [ids.b] })) as Reply;
    assert.deepEqual(withoutRequestId(real), {
      DeliveryIds: [ids.b],
      TotalCount: 1,
      DryRun: false,
    });
    const requeued = await api.store.deliveries.get(ids.b);
    assert.equal(requeued?.status, "pending");
    assert.ok((requeued?.nextAttemptAt.getTime() ?? Number.POSITIVE_INFINITY) <= Date.now());
    assert.equal(api.wakes, wakes + 1);

    await rejectsWith(client.request("RedeliverCallbacks", {}), "MissingParameter");
    await rejectsWith(client.request("RedeliverCallbacks", { DryRun: true }), "MissingParameter");
    await rejectsWith(
      client.request("RedeliverCallbacks", { DeliveryIds: [ids.a], AllDead: true }),
      "InvalidParameterValue",
    );
    await rejectsWith(
      client.request("RedeliverCallbacks", { AllDead: true, Status: ["dead"] }),
      "InvalidParameterValue",
    );
  });

  test("DescribeCallbackEndpoints and EnableCallbackEndpoint", async () => {
    type Endpoints = { Endpoints: { Url: string; Status: string; DisabledReason: string }[] };
    const at = new Date(now - 10_000);
    await api.store.endpoints.markFailure(URL_B, at);
    await api.store.endpoints.disable(URL_B, at, "failing for 5 days");
    const before = (await client.request("DescribeCallbackEndpoints", {})) as Endpoints;
    assert.deepEqual(
      before.Endpoints.find((e) => e.Url === URL_B),
      {
        Url: URL_B,
        Status: "disabled",
        FailingSince: at.toISOString(),
        DisabledTime: at.toISOString(),
        DisabledReason: "failing for 5 days",
      },
    );
    const enabled = (await client.request("EnableCallbackEndpoint", { Url: URL_B })) as {
      Url: string;
      RedeliveredCount: number;
    };
    assert.deepEqual(withoutRequestId(enabled), { Url: URL_B, RedeliveredCount: 0 });
    const afterwards = (await client.request("DescribeCallbackEndpoints", {})) as Endpoints;
    assert.equal(afterwards.Endpoints.find((e) => e.Url === URL_B)?.Status, "healthy");
    await rejectsWith(
      client.request("EnableCallbackEndpoint", { Url: "http://127.0.0.1:9/never" }),
      "ResourceNotFound",
    );
  });

  test("DescribeCallbackQueueStats counts the queue", async () => {
    const stats = (await client.request("DescribeCallbackQueueStats", {})) as Record<
      string,
      number
    >;
    const expected = await api.store.deliveries.stats(new Date());
    assert.equal(stats.Pending, expected.pending);
    assert.equal(stats.Dead, expected.dead);
    assert.equal(stats.Delivered, expected.delivered);
    assert.equal(stats.Pending + stats.Dead + stats.Delivered, 3);
  });
});

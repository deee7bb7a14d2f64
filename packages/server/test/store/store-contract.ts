import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RetryPolicy } from "../../src/domain/types.js";
import { OnAirError } from "../../src/errors.js";
import type { NewEvent, Store } from "../../src/store/store.js";

const policy: RetryPolicy = { maxRetries: 3, intervalMs: 60_000, timeoutMs: 20_000, jitter: 0 };
const at = (ms: number) => new Date(1_800_000_000_000 + ms);

function event(id: string, stream = "s1", createdAt = at(0)): NewEvent {
  return {
    id,
    eventType: 1,
    domainName: "d.example",
    appName: "live",
    streamId: stream,
    body: { event_type: 1, stream_id: stream },
    source: "intake",
    createdAt,
  };
}

/**
 * The behaviour every Store driver must have. Each driver's test file calls this with a factory
 * that opens a fresh, migrated store (SQLite in a temp dir; PostgreSQL in a fresh schema).
 */
export function storeContract(
  driver: string,
  open: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
): void {
  describe(`Store contract: ${driver}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let templateId: number;

    before(async () => {
      ({ store, cleanup } = await open());
      await store.migrate(); // a second migrate is a no-op
      templateId = (
        await store.templates.create({
          name: "t",
          description: "",
          urls: { StreamBeginNotifyUrl: "http://127.0.0.1:9/x" },
          recordExceptionLevels: [],
          callbackKey: "current",
          previousKeys: [
            { key: "rotating", validUntil: at(3_600_000) },
            { key: "expired", validUntil: at(-1) },
          ],
          retryPolicy: null,
          perStreamOrdering: false,
        })
      ).id;
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    test("domains: create, conflict on a duplicate, update push auth, delete", async () => {
      const pushAuth = { enabled: false, mainKey: "", backupKey: "", authDeltaSeconds: 0 };
      await store.domains.create({ name: "a.example", type: 0, pushAuth });
      await assert.rejects(
        store.domains.create({ name: "a.example", type: 0, pushAuth }),
        (e: unknown) => e instanceof OnAirError && e.code === "ONAIR_ERR_DOMAIN_EXISTS",
      );
      const updated = await store.domains.updatePushAuth("a.example", {
        ...pushAuth,
        enabled: true,
        mainKey: "k",
      });
      assert.equal(updated?.pushAuth.mainKey, "k");
      assert.equal(await store.domains.updatePushAuth("none.example", pushAuth), null);
      // ForbidLiveDomain / EnableLiveDomain: a new domain is enabled (1).
      assert.equal((await store.domains.get("a.example"))?.status, 1);
      assert.equal((await store.domains.setStatus("a.example", 0))?.status, 0);
      assert.equal((await store.domains.get("a.example"))?.status, 0);
      assert.equal((await store.domains.setStatus("a.example", 1))?.status, 1);
      assert.equal(await store.domains.setStatus("none.example", 0), null);
      // Play auth has a column of its own: a play domain's keys never touch its push_auth.
      const play = await store.domains.create({ name: "p.example", type: 1, pushAuth });
      assert.deepEqual(play.playAuth, {
        enabled: false,
        mainKey: "",
        backupKey: "",
        authDeltaSeconds: 0,
      });
      assert.deepEqual((await store.domains.get("p.example"))?.playAuth, play.playAuth);
      const playAuth = { enabled: true, mainKey: "m", backupKey: "b", authDeltaSeconds: 30 };
      const withPlayAuth = await store.domains.updatePlayAuth("p.example", playAuth);
      assert.deepEqual(withPlayAuth?.playAuth, playAuth);
      assert.deepEqual(withPlayAuth?.pushAuth, pushAuth);
      assert.equal(await store.domains.updatePlayAuth("none.example", playAuth), null);
      assert.equal(await store.domains.delete("p.example"), true);
      assert.equal((await store.domains.list()).length, 1);
      assert.equal(await store.domains.delete("a.example"), true);
      assert.equal(await store.domains.delete("a.example"), false);
    });

    test("templates and rules: a template used by a rule cannot be deleted", async () => {
      const rule = await store.rules.upsert({
        domainName: "d.example",
        appName: "live",
        templateId,
      });
      assert.equal(rule.templateId, templateId);
      await assert.rejects(
        store.templates.delete(templateId),
        (e: unknown) => e instanceof OnAirError && e.code === "ONAIR_ERR_TEMPLATE_IN_USE",
      );
      assert.equal((await store.rules.list()).length, 1);
      assert.equal(await store.rules.delete("d.example", "nope"), false);
      // create never rebinds: a bound pair answers null and keeps its template.
      assert.equal(
        await store.rules.create({ domainName: "d.example", appName: "live", templateId }),
        null,
      );
      const other = await store.rules.create({ domainName: "d.example", appName: "x", templateId });
      assert.equal(other?.appName, "x");
      assert.equal(await store.rules.delete("d.example", "x"), true);
    });

    test("record and snapshot templates: updateTemplate replaces the columns, null when absent", async () => {
      const record = await store.recording.createTemplate({
        name: "r",
        description: "",
        params: { Flv: { RecordInterval: 600, StorageTime: 0, Enable: 1 } },
        special: { HlsSpecialParam: { FlowContinueDuration: 30 } },
      });
      const changed = await store.recording.updateTemplate(record.id, {
        name: "r2",
        description: "d",
        params: { Mp3: { RecordInterval: 900, StorageTime: 0, Enable: 1 } },
        special: { FlvSpecialParam: { UploadInRecording: true } },
      });
      assert.equal(changed?.name, "r2");
      assert.deepEqual(changed?.params, {
        Mp3: { RecordInterval: 900, StorageTime: 0, Enable: 1 },
      });
      assert.deepEqual(changed?.special, { FlvSpecialParam: { UploadInRecording: true } });
      assert.deepEqual((await store.recording.getTemplate(record.id))?.special, changed?.special);
      assert.equal(
        await store.recording.updateTemplate(record.id + 1000, {
          name: "x",
          description: "",
          params: {},
        }),
        null,
      );
      const shot = await store.snapshots.createTemplate({
        name: "s",
        description: "",
        intervalSeconds: 2,
        width: 0,
        height: 0,
        pornFlag: 0,
        cos: {},
      });
      const reshot = await store.snapshots.updateTemplate(shot.id, {
        ...shot,
        intervalSeconds: 30,
        cos: { CosBucket: "b" },
      });
      assert.equal(reshot?.intervalSeconds, 30);
      assert.deepEqual(reshot?.cos, { CosBucket: "b" });
      assert.equal(await store.recording.deleteTemplate(record.id), true);
      assert.equal(await store.snapshots.deleteTemplate(shot.id), true);
    });

    test("rules.match: exact AppName over the domain-wide rule, domain case-insensitive", async () => {
      const made = [];
      for (const [domainName, appName] of [
        ["push.example", ""],
        ["push.example", "live"],
        ["other.example", "live"],
        ["Mixed.Example", "live"],
      ] as const) {
        const t = await store.templates.create({
          name: `${domainName}/${appName}`,
          description: "",
          urls: {},
          recordExceptionLevels: [],
          callbackKey: "k",
          previousKeys: [],
          retryPolicy: null,
          perStreamOrdering: false,
        });
        await store.rules.upsert({ domainName, appName, templateId: t.id });
        made.push(t.id);
      }
      const [wide, exact, other, mixed] = made;
      const matched = async (d: string, a: string) => (await store.rules.match(d, a))?.templateId;
      assert.equal(await matched("push.example", "live"), exact);
      assert.equal(await matched("PUSH.Example", "live"), exact);
      assert.equal(await matched("push.example", "vod"), wide);
      assert.equal(await matched("push.example", "Live"), wide, "AppNames compare exactly");
      assert.equal(await matched("push.example", ""), wide);
      assert.equal(await matched("mixed.example", "live"), mixed);
      assert.equal(await matched("other.example", "vod"), undefined);
      assert.equal(await matched("example", "live"), undefined, "not a suffix");
      assert.equal(await matched("a.push.example", "live"), undefined, "not a prefix");
      assert.equal(await matched("other.example", "live"), other);
      await store.rules.delete("push.example", "live");
      assert.equal(await matched("push.example", "live"), wide, "the wide rule after a delete");
      for (const [d, a] of [
        ["push.example", ""],
        ["other.example", "live"],
        ["Mixed.Example", "live"],
      ]) {
        assert.equal(await store.rules.delete(d!, a!), true);
      }
      for (const id of made) await store.templates.delete(id);
    });

    test("forwards: one row per target, match exact and domain-wide, domain case-insensitive", async () => {
      const rule = (domainName: string, appName: string, targetUrl: string) => ({
        domainName,
        appName,
        targetUrl,
      });
      const created = await store.forwards.create(rule("Push.Example", "live", "rtmp://a/x"));
      assert.equal(created?.domainName, "push.example");
      assert.equal(await store.forwards.create(rule("push.example", "live", "rtmp://a/x")), null);
      await store.forwards.create(rule("push.example", "live", "rtmps://b/y"));
      await store.forwards.create(rule("push.example", "", "rtmp://wide/z"));
      await store.forwards.create(rule("other.example", "live", "rtmp://c/w"));
      const urls = async (d: string, a: string) =>
        (await store.forwards.match(d, a)).map((r) => r.targetUrl).sort();
      assert.deepEqual(await urls("PUSH.example", "live"), [
        "rtmp://a/x",
        "rtmp://wide/z",
        "rtmps://b/y",
      ]);
      assert.deepEqual(await urls("push.example", "vod"), ["rtmp://wide/z"]);
      assert.deepEqual(await urls("example", "live"), []);
      assert.equal(await store.forwards.count("push.example", "live"), 2);
      assert.equal((await store.forwards.list({ domainName: "other.example" })).length, 1);
      assert.equal((await store.forwards.list()).length, 4);
      assert.equal(await store.forwards.delete(rule("push.example", "live", "rtmp://a/x")), true);
      assert.equal(await store.forwards.delete(rule("push.example", "live", "rtmp://a/x")), false);
      for (const r of await store.forwards.list()) assert.ok(await store.forwards.delete(r));
    });

    test("append commits an event with its deliveries; a failing delivery rolls the event back", async () => {
      await store.events.append(event("evt_1"), [
        { id: "msg_1", templateId, url: "http://127.0.0.1:9/x", policy, orderingKey: null },
      ]);
      assert.ok(await store.events.get("evt_1"));
      assert.equal((await store.deliveries.get("msg_1"))?.status, "pending");
      await assert.rejects(
        store.events.append(event("evt_2"), [
          { id: "msg_2", templateId, url: "u", policy, orderingKey: null },
          { id: "msg_2", templateId, url: "u", policy, orderingKey: null },
        ]),
      );
      assert.equal(await store.events.get("evt_2"), null, "no event without its deliveries");
    });

    test("claim: due only, leased once, keys include the rotating one but not the expired one", async () => {
      assert.deepEqual(
        await store.deliveries.claimDue({ owner: "a", now: at(-1), leaseMs: 1000, limit: 10 }),
        [],
      );
      const [claimed] = await store.deliveries.claimDue({
        owner: "a",
        now: at(1),
        leaseMs: 1000,
        limit: 10,
      });
      assert.equal(claimed?.delivery.id, "msg_1");
      assert.deepEqual(claimed?.keys, ["current", "rotating"]);
      assert.deepEqual(
        await store.deliveries.claimDue({ owner: "b", now: at(500), leaseMs: 1000, limit: 10 }),
        [],
        "leased",
      );
      const [stolen] = await store.deliveries.claimDue({
        owner: "b",
        now: at(1002),
        leaseMs: 1000,
        limit: 10,
      });
      assert.equal(stolen?.delivery.id, "msg_1", "an expired lease is taken over");
      const attempt = {
        startedAt: at(1003),
        durationMs: 5,
        statusCode: 500,
        errorCode: "http_status" as const,
        errorMessage: "HTTP 500",
        requestBody: "{}",
        responseSnippet: "",
      };
      assert.equal(
        await store.deliveries.recordAttempt({
          deliveryId: "msg_1",
          owner: "a",
          attempt,
          next: at(5000),
        }),
        false,
        "lost lease",
      );
      assert.equal(
        await store.deliveries.recordAttempt({
          deliveryId: "msg_1",
          owner: "b",
          attempt,
          next: "dead",
        }),
        true,
      );
      assert.equal((await store.deliveries.attempts("msg_1")).length, 2, "both attempts recorded");
      assert.equal((await store.deliveries.get("msg_1"))?.status, "dead");
    });

    test("redeliver: dry run lists, real run requeues with a fresh budget", async () => {
      const dry = await store.deliveries.redeliver({
        filter: { status: ["dead"] },
        now: at(6000),
        dryRun: true,
      });
      assert.deepEqual(dry, ["msg_1"]);
      assert.equal((await store.deliveries.get("msg_1"))?.status, "dead");
      await store.deliveries.redeliver({ ids: ["msg_1"], now: at(6000) });
      const requeued = await store.deliveries.get("msg_1");
      assert.equal(requeued?.status, "pending");
      assert.equal(requeued?.attempts, 0);
      const stats = await store.deliveries.stats(at(7000));
      assert.equal(stats.pending, 1);
    });

    test("per-stream ordering: only the oldest pending delivery of a key is claimable", async () => {
      const key = "d.example/live/ordered|u";
      await store.events.append(event("evt_o1", "ordered", at(10_000)), [
        { id: "msg_o1", templateId, url: "u", policy, orderingKey: key },
      ]);
      await store.events.append(event("evt_o2", "ordered", at(10_001)), [
        { id: "msg_o2", templateId, url: "u", policy, orderingKey: key },
      ]);
      const claimed = await store.deliveries.claimDue({
        owner: "c",
        now: at(20_000),
        leaseMs: 1000,
        limit: 10,
      });
      const ids = claimed.map((c) => c.delivery.id);
      assert.ok(ids.includes("msg_o1") && !ids.includes("msg_o2"));
      assert.ok((await store.deliveries.releaseLeases("c")) >= 1);
    });

    test("claim: fair per origin, an origin at its cap is skipped and its rows stay unleased", async () => {
      const stuck = "http://Stuck.example:8080";
      for (let i = 0; i < 6; i++) {
        await store.events.append(event(`evt_f${i}`, "fair", at(30_000 + i)), [
          { id: `msg_f${i}`, templateId, url: `${stuck}/hook?n=${i}`, policy, orderingKey: null },
        ]);
      }
      await store.events.append(event("evt_h", "fair", at(30_010)), [
        { id: "msg_h", templateId, url: "http://healthy.example/hook", policy, orderingKey: null },
      ]);
      const now = at(40_000);
      const first = await store.deliveries.claimDue({
        owner: "f",
        now,
        leaseMs: 60_000,
        limit: 10,
        perOriginLimit: 2,
        inFlightByOrigin: new Map([["http://stuck.example:8080", 1]]),
      });
      const ids = first
        .map((c) => c.delivery.id)
        .filter((id) => id.startsWith("msg_f") || id === "msg_h");
      assert.deepEqual(ids.sort(), ["msg_f0", "msg_h"], "one more stuck row (cap 2, 1 in flight)");
      const saturated = await store.deliveries.claimDue({
        owner: "f",
        now,
        leaseMs: 60_000,
        limit: 10,
        perOriginLimit: 2,
        inFlightByOrigin: new Map([["http://stuck.example:8080", 2]]),
      });
      assert.deepEqual(
        saturated.filter((c) => c.delivery.id.startsWith("msg_f")),
        [],
        "an origin at its cap gets nothing",
      );
      const unleased = await Promise.all(
        [1, 2, 3, 4, 5].map(async (i) => (await store.deliveries.get(`msg_f${i}`))?.leaseOwner),
      );
      assert.deepEqual(unleased, [null, null, null, null, null], "nothing leased it cannot run");
      assert.ok((await store.deliveries.releaseLeases("f")) >= 2);
    });

    test("push barrier: a publish's other callbacks wait while its push is pending or in flight", async () => {
      // Publish A has a push (to the begin URL) and a 332 (to another URL); publish B, on the same
      // stream, has no push delivery at all (no StreamBeginNotifyUrl), only a 332.
      const ofPublish = (
        id: string,
        eventType: number,
        sequence: string,
        ms: number,
      ): NewEvent => ({
        ...event(id, "barrier", at(50_000 + ms)),
        eventType,
        body: { event_type: eventType, stream_id: "barrier" },
        publishSequence: sequence,
      });
      const to = (id: string, url: string) => ({ id, templateId, url, policy, orderingKey: null });
      await store.events.append(ofPublish("evt_b_push", 1, "A", 0), [
        to("msg_b_push", "http://begin.example/cb"),
      ]);
      await store.events.append(ofPublish("evt_b_332a", 332, "A", 1), [
        to("msg_b_332a", "http://status.example/cb"),
      ]);
      await store.events.append(ofPublish("evt_b_332b", 332, "B", 2), [
        to("msg_b_332b", "http://status.example/cb"),
      ]);
      const claimIds = async (owner: string, ms: number) =>
        (
          await store.deliveries.claimDue({
            owner,
            now: at(60_000 + ms),
            leaseMs: 1000,
            limit: 50,
          })
        )
          .map((c) => c.delivery.id)
          .filter((id) => id.startsWith("msg_b_"))
          .sort();
      assert.deepEqual(
        await claimIds("p1", 0),
        ["msg_b_332b", "msg_b_push"],
        "the push and the other publish's 332 go; publish A's 332 waits for its push",
      );
      assert.deepEqual(await claimIds("p2", 10), [], "the push in flight (leased) still holds it");
      const attempt = (statusCode: number) => ({
        startedAt: at(60_020),
        durationMs: 5,
        statusCode,
        errorCode: statusCode === 200 ? null : ("http_status" as const),
        errorMessage: statusCode === 200 ? null : `HTTP ${statusCode}`,
        requestBody: "{}",
        responseSnippet: "",
      });
      await store.deliveries.recordAttempt({
        deliveryId: "msg_b_push",
        owner: "p1",
        attempt: attempt(500),
        next: at(60_035),
      });
      assert.deepEqual(await claimIds("p3", 30), [], "a push waiting for its retry still holds it");
      assert.deepEqual(await claimIds("p4", 40), ["msg_b_push"], "the retry, alone");
      await store.deliveries.recordAttempt({
        deliveryId: "msg_b_push",
        owner: "p4",
        attempt: attempt(200),
        next: "delivered",
      });
      assert.deepEqual(await claimIds("p5", 50), ["msg_b_332a"], "the push delivered releases it");

      // A push that goes dead releases its publish's other callbacks too.
      await store.events.append(ofPublish("evt_b_push_c", 1, "C", 100), [
        to("msg_b_push_c", "http://begin.example/cb"),
      ]);
      await store.events.append(ofPublish("evt_b_0c", 0, "C", 101), [
        to("msg_b_0c", "http://end.example/cb"),
      ]);
      assert.deepEqual(await claimIds("p6", 200), ["msg_b_push_c"]);
      await store.deliveries.recordAttempt({
        deliveryId: "msg_b_push_c",
        owner: "p6",
        attempt: attempt(500),
        next: "dead",
      });
      assert.deepEqual(await claimIds("p7", 210), ["msg_b_0c"], "the push dead releases it");
      for (const owner of ["p1", "p5", "p7"]) await store.deliveries.releaseLeases(owner);
    });

    test("append with a lease: free deliveries commit leased and returned, held ones wait for the claim, a lapsed lease is claimable", async () => {
      const base = 900_000_000; // after every other test's claims: none of them sees these rows
      const ofPublish = (id: string, eventType: number, ms: number): NewEvent => ({
        ...event(id, "prelease", at(base + ms)),
        eventType,
        body: { event_type: eventType, stream_id: "prelease" },
        publishSequence: "L",
      });
      const to = (id: string, url: string, orderingKey: string | null = null) => ({
        id,
        templateId,
        url,
        policy,
        orderingKey,
      });
      const lease = { owner: "node-a", leaseMs: 1000 };
      const pushLeased = await store.events.append(
        ofPublish("evt_l_push", 1, 0),
        [to("msg_l_push", "http://begin.example/cb"), to("msg_l_ord", "http://o.example/cb", "o")],
        lease,
      );
      assert.deepEqual(
        pushLeased.map((d) => d.id),
        ["msg_l_push"],
        "the push is leased; the one with an ordering key is left to the claim",
      );
      assert.deepEqual(
        pushLeased[0],
        await store.deliveries.get("msg_l_push"),
        "returned as stored",
      );
      assert.equal(pushLeased[0]?.leaseOwner, "node-a");
      assert.equal(pushLeased[0]?.leaseExpiresAt?.getTime(), at(base + 1000).getTime());
      assert.equal((await store.deliveries.get("msg_l_ord"))?.leaseOwner, null);
      const endLeased = await store.events.append(
        ofPublish("evt_l_0", 0, 1),
        [to("msg_l_0", "http://end.example/cb")],
        lease,
      );
      assert.deepEqual(endLeased, [], "the publish's push is pending: the interruption is held");
      assert.equal((await store.deliveries.get("msg_l_0"))?.leaseOwner, null);

      const claimIds = async (owner: string, ms: number) =>
        // Other tests' rows are due too: a limit above all of them.
        (await store.deliveries.claimDue({ owner, now: at(base + ms), leaseMs: 1000, limit: 5000 }))
          .map((c) => c.delivery.id)
          .filter((id) => id.startsWith("msg_l_"))
          .sort();
      assert.deepEqual(
        await claimIds("node-b", 500),
        ["msg_l_ord"],
        "the leased push is not claimable while its lease holds, nor the interruption behind it",
      );
      assert.deepEqual(
        await claimIds("node-c", 1000),
        ["msg_l_push"],
        "the lease lapsed (its node died): another node takes the push over",
      );
      const delivered = {
        startedAt: at(base + 1001),
        durationMs: 5,
        statusCode: 200,
        errorCode: null,
        errorMessage: null,
        requestBody: "{}",
        responseSnippet: "",
      };
      const record = (deliveryId: string, owner: string) =>
        store.deliveries.recordAttempt({
          deliveryId,
          owner,
          attempt: delivered,
          next: "delivered",
        });
      assert.equal(await record("msg_l_push", "node-a"), false, "the dead node's lease is lost");
      assert.equal(await record("msg_l_push", "node-c"), true);
      assert.deepEqual(await claimIds("node-d", 1010), [], "the push's other URL is still pending");
      assert.equal(await record("msg_l_ord", "node-b"), true);
      assert.deepEqual(await claimIds("node-e", 1020), ["msg_l_0"], "the push delivered frees it");
      assert.equal(await record("msg_l_0", "node-e"), true);
    });

    test("list: newest first, cursor pages, filters", async () => {
      const first = await store.deliveries.list({ limit: 2 });
      assert.equal(first.items.length, 2);
      assert.ok(first.nextCursor);
      const second = await store.deliveries.list({ limit: 2, cursor: first.nextCursor! });
      assert.ok(second.items.every((d) => !first.items.some((f) => f.id === d.id)));
      assert.deepEqual(
        (await store.deliveries.list({ limit: 10, streamId: "ordered" })).items.map((d) => d.id),
        ["msg_o2", "msg_o1"],
      );
      await assert.rejects(
        store.deliveries.list({ limit: 1, cursor: "!!" }),
        (e: unknown) => e instanceof OnAirError,
      );
    });

    test("endpoints: failure run, disable, enable", async () => {
      const state = await store.endpoints.markFailure("u", at(1));
      assert.deepEqual(state.failingSince, at(1));
      assert.deepEqual(
        (await store.endpoints.markFailure("u", at(2))).failingSince,
        at(1),
        "the run keeps its start",
      );
      await store.endpoints.disable("u", at(3), "failing");
      assert.deepEqual((await store.endpoints.get("u"))?.disabledAt, at(3));
      assert.equal(await store.endpoints.enable("u"), true);
      assert.equal((await store.endpoints.get("u"))?.disabledAt, null);
      await store.endpoints.markSuccess("u");
      assert.equal((await store.endpoints.get("u"))?.failingSince, null);
    });

    test("streams: one holder per stream, drops reach the holder, orphans go to one taker", async () => {
      const key = { domainName: "d.example", appName: "live", streamName: "cam" };
      const live = {
        ...key,
        sequence: "1000000000000000001",
        nodeId: "node-a",
        serverIp: "127.0.0.1",
        clientIp: "10.0.0.9",
        streamParam: "a=1",
        width: 0,
        height: 0,
        startedAt: at(0),
      };
      assert.equal(await store.streams.register(live), true);
      assert.equal(
        await store.streams.register({ ...live, sequence: "2", nodeId: "node-b" }),
        false,
      );
      await store.streams.setDimensions(key, live.sequence, { width: 640, height: 360 });
      assert.deepEqual(await store.streams.get(key), {
        ...live,
        width: 640,
        height: 360,
        dropErrcode: null,
        dropSubErrcode: null,
      });
      assert.equal((await store.streams.list({ domainName: "d.example" })).length, 1);
      assert.equal((await store.streams.list({ appName: "other" })).length, 0);

      assert.equal(await store.streams.requestDrop(key, 21, 101), true);
      assert.deepEqual(
        (await store.streams.pendingDrops("node-a")).map((r) => [r.dropErrcode, r.dropSubErrcode]),
        [[21, 101]],
        "a Forbid reaches the holding node as 21/101",
      );
      assert.deepEqual(await store.streams.pendingDrops("node-b"), []);
      await store.streams.unregister(key, "not-the-holder");
      assert.ok(await store.streams.get(key), "only the holding sequence releases the stream");

      await store.streams.heartbeat("node-b", at(10_000));
      assert.deepEqual(await store.streams.node("node-b"), {
        nodeId: "node-b",
        heartbeatAt: at(10_000),
        httpAddress: "",
        relayKey: "",
      });
      await store.streams.advertise(
        "node-b",
        { httpAddress: "10.0.0.2:8080", relayKey: "k1" },
        at(10_000),
      );
      await store.streams.heartbeat("node-b", at(10_000));
      assert.deepEqual(
        await store.streams.node("node-b"),
        { nodeId: "node-b", heartbeatAt: at(10_000), httpAddress: "10.0.0.2:8080", relayKey: "k1" },
        "a heartbeat keeps the advertised address",
      );
      assert.equal(await store.streams.node("node-z"), null);
      await store.streams.heartbeat("node-a", at(0));
      const orphans = await store.streams.takeOrphans({
        nodeId: "node-b",
        staleBefore: at(5_000),
        includeOwn: false,
      });
      assert.deepEqual(
        orphans.map((r) => r.sequence),
        [live.sequence],
      );
      assert.deepEqual(
        await store.streams.takeOrphans({
          nodeId: "node-b",
          staleBefore: at(5_000),
          includeOwn: false,
        }),
        [],
        "a second sweep finds nothing: each orphan is reported once",
      );
      assert.equal(await store.streams.get(key), null);
      assert.equal(await store.streams.requestDrop(key, 21), false);
    });

    test("streams: a ban holds until ResumeTime or resume", async () => {
      const key = { domainName: "d.example", appName: "live", streamName: "banned" };
      await store.streams.forbid({ ...key, forbiddenAt: at(0), resumeAt: at(60_000), reason: "r" });
      assert.equal((await store.streams.forbidden(key, at(1000)))?.reason, "r");
      assert.equal(
        await store.streams.forbidden(key, at(60_001)),
        null,
        "expired bans lift by themselves",
      );
      assert.equal((await store.streams.listForbidden(at(1000))).length, 1);
      await store.streams.forbid({ ...key, forbiddenAt: at(0), resumeAt: null, reason: "forever" });
      assert.equal((await store.streams.forbidden(key, at(10 ** 9)))?.reason, "forever");
      assert.equal(await store.streams.resume(key), true);
      assert.equal(await store.streams.resume(key), false);
      assert.equal(await store.streams.forbidden(key, at(0)), null);
    });

    test("tasks: create, window queries, pages in creation order, stop once, delete", async () => {
      const task = (id: string, stream: string, start: number, end: number, kind = "record") => ({
        id,
        kind: kind as "record" | "screenshot",
        domainName: "d.example",
        appName: "live",
        streamName: stream,
        startTime: at(start),
        endTime: at(end),
        templateId: id === "r1" ? null : 7,
        streamType: 0,
        extension: "",
      });
      await store.tasks.create(task("r1", "a", 0, 10_000));
      await store.tasks.create(task("r2", "b", 5_000, 20_000));
      await store.tasks.create(task("r3", "a", 30_000, 40_000));
      await store.tasks.create(task("s1", "a", 0, 10_000, "screenshot"));
      assert.equal((await store.tasks.get("record", "r1"))?.templateId, null);
      assert.equal(await store.tasks.get("screenshot", "r1"), null, "kinds are apart");
      assert.deepEqual((await store.tasks.inWindow("record", at(6_000))).map((t) => t.id).sort(), [
        "r1",
        "r2",
      ]);
      assert.deepEqual(
        (await store.tasks.inWindow("record", at(10_000))).map((t) => t.id),
        ["r2"],
        "EndTime is exclusive",
      );
      const range = { from: at(0), to: at(40_000), after: "", limit: 2 };
      const first = await store.tasks.list("record", range);
      assert.deepEqual(
        first.tasks.map((t) => t.id),
        ["r1", "r2"],
      );
      assert.notEqual(first.next, "");
      const second = await store.tasks.list("record", { ...range, after: first.next });
      assert.deepEqual(
        second.tasks.map((t) => t.id),
        ["r3"],
      );
      assert.equal(second.next, "");
      assert.deepEqual(
        (await store.tasks.list("record", { ...range, streamName: "a", limit: 10 })).tasks.map(
          (t) => t.id,
        ),
        ["r1", "r3"],
      );
      assert.deepEqual(
        (await store.tasks.list("record", { ...range, to: at(15_000), limit: 10 })).tasks.map(
          (t) => t.id,
        ),
        ["r1"],
        "only tasks whose whole window is in the range",
      );
      assert.equal(await store.tasks.stop("record", "r2", at(7_000)), true);
      assert.equal(await store.tasks.stop("record", "r2", at(8_000)), true);
      assert.equal(
        (await store.tasks.get("record", "r2"))?.stoppedAt?.getTime(),
        at(7_000).getTime(),
      );
      assert.equal(await store.tasks.stop("record", "nope", at(0)), false);
      assert.equal(await store.tasks.delete("record", "r3"), true);
      assert.equal(await store.tasks.delete("record", "r3"), false);
      assert.equal(await store.tasks.get("record", "r3"), null);
    });

    test("play samples: nodes add up; a node's samples in a minute give its most viewers", async () => {
      const m = Math.floor(at(3_600_000).getTime() / 60_000) * 60_000;
      const row = (stream: string, bytes: number, requests: number, online: number) => ({
        domain: "play.example",
        appName: "live",
        streamName: stream,
        protocol: "flv" as const,
        bytes,
        requests,
        online,
      });
      const samples = store.playSamples;
      // Node a: two samples in minute m (2 then 3 viewers of s), one in the next (1).
      await samples.append({ node: "a", at: new Date(m + 30_000), rows: [row("s", 100, 2, 2)] });
      await samples.append({
        node: "a",
        at: new Date(m + 60_000),
        rows: [row("s", 200, 1, 3), { ...row("s", 50, 1, 1), domain: "other.example" }],
      });
      await samples.append({ node: "a", at: new Date(m + 90_000), rows: [row("s", 10, 0, 1)] });
      // Node b: 4 viewers of s, 1 of t in minute m; then s's closing row of zero.
      await samples.append({
        node: "b",
        at: new Date(m + 60_000),
        rows: [row("s", 1000, 4, 4), row("t", 7, 1, 1)],
      });
      await samples.append({ node: "b", at: new Date(m + 70_000), rows: [row("s", 0, 0, 0)] });
      await samples.append({ node: "b", at: new Date(m + 80_000), rows: [] });

      assert.deepEqual(
        await samples.perMinute({ fromMinute: m, toMinute: m + 60_000, streamName: "s" }),
        [
          { minute: m, bytes: 1350, requests: 8, online: 8 },
          { minute: m + 60_000, bytes: 10, requests: 0, online: 1 },
        ],
      );
      assert.deepEqual(
        await samples.perMinute({
          fromMinute: m,
          toMinute: m,
          domain: "play.example",
          appName: "live",
        }),
        [{ minute: m, bytes: 1307, requests: 8, online: 8 }],
      );
      assert.deepEqual(await samples.perMinute({ fromMinute: m, toMinute: m, appName: "x" }), []);

      const streams = await samples.perStream({ minute: m, domains: ["play.example"] });
      assert.deepEqual(
        streams.map((r) => [r.streamName, r.protocol, r.bytes, r.requests, r.online]),
        [
          ["s", "flv", 1300, 7, 7],
          ["t", "flv", 7, 1, 1],
        ],
      );
      assert.equal((await samples.perStream({ minute: m })).length, 3);
      assert.deepEqual(await samples.perStream({ minute: m, domains: [] }), []);

      // Since m + 45 s: a's latest sample (m + 90 s) has 1 viewer, b's latest with rows
      // (m + 70 s) says s has none left; bytes and requests of every sample after it.
      assert.deepEqual(await samples.perDomain({ since: new Date(m + 45_000) }), [
        { domain: "other.example", bytes: 50, requests: 1, online: 0 },
        { domain: "play.example", bytes: 1217, requests: 6, online: 1 },
      ]);
      assert.deepEqual(
        await samples.perDomain({ since: new Date(m + 85_000), domains: ["play.example"] }),
        [{ domain: "play.example", bytes: 10, requests: 0, online: 1 }],
      );

      // Retention: ten minutes at most per call, then nothing is left before the cutoff.
      assert.equal(await samples.deleteOldest({ before: new Date(m + 65_000), spanMs: 20_000 }), 1);
      assert.equal(
        await samples.deleteOldest({ before: new Date(m + 65_000), spanMs: 600_000 }),
        4,
      );
      assert.equal(
        await samples.deleteOldest({ before: new Date(m + 65_000), spanMs: 600_000 }),
        0,
      );
      assert.equal((await samples.perStream({ minute: m + 60_000 })).length, 1);
    });

    test("pull tasks: one lease holder at a time, reports keep it, finish marks the run done", async () => {
      const config = {
        sourceType: "PullVodPushLive" as const,
        sourceUrls: ["http://127.0.0.1:9/a.mp4"],
        domainName: "d.example",
        appName: "live",
        streamName: "relayed",
        pushArgs: "",
        toUrl: "",
        callbackUrl: "",
        callbackEvents: [],
        vodLoopTimes: 2,
        vodRefreshType: "ImmediateNewSource" as const,
        fileIndex: 0,
        offsetTime: 0,
        comment: "",
      };
      const task = await store.pullTasks.create({
        id: "pull_1",
        specifyTaskId: "mine",
        config,
        startTime: at(0),
        endTime: at(60_000),
        operator: "op",
      });
      assert.equal(task.status, "enable");
      assert.equal((await store.pullTasks.getBySpecifyId("mine"))?.id, "pull_1");
      assert.deepEqual(
        (await store.pullTasks.inWindow(at(1000))).map((t) => t.id),
        ["pull_1"],
      );
      assert.deepEqual(await store.pullTasks.inWindow(at(60_000)), [], "EndTime is exclusive");

      // Node A takes it; B cannot while A's lease runs, and takes it once it has expired.
      assert.equal(await store.pullTasks.acquire("pull_1", "A", at(1000), 5000), true);
      assert.equal(await store.pullTasks.acquire("pull_1", "B", at(2000), 5000), false);
      const state = {
        runStatus: "active" as const,
        fileUrl: config.sourceUrls[0] ?? "",
        fileIndex: 0,
        nextFileUrl: "",
        fileDurationMs: 2500,
        offsetMs: 1200,
        loopedTimes: 1,
        lastError: "",
      };
      assert.equal(await store.pullTasks.report("pull_1", "A", state, at(5000), 5000), true);
      assert.equal(
        await store.pullTasks.acquire("pull_1", "B", at(9000), 5000),
        false,
        "A's report renewed the lease",
      );
      assert.equal(await store.pullTasks.acquire("pull_1", "B", at(10_001), 5000), true);
      assert.equal(
        await store.pullTasks.report("pull_1", "A", state, at(10_002), 5000),
        false,
        "A lost it",
      );
      const reported = await store.pullTasks.get("pull_1");
      assert.equal(reported?.run.runStatus, "active");
      assert.equal(reported?.run.offsetMs, 1200);
      assert.equal(reported?.run.reportTime?.getTime(), at(5000).getTime());

      await store.pullTasks.finish("pull_1", "B", 0);
      assert.equal((await store.pullTasks.get("pull_1"))?.doneVersion, 0);
      assert.equal((await store.pullTasks.get("pull_1"))?.run.runStatus, "inactive");
      assert.equal(
        await store.pullTasks.acquire("pull_1", "C", at(11_000), 5000),
        true,
        "finish released it",
      );
      await store.pullTasks.release("pull_1", "C");
      assert.equal(await store.pullTasks.restart("pull_1", "op2"), true);
      const restarted = await store.pullTasks.get("pull_1");
      assert.equal(restarted?.restartVersion, 1);
      assert.equal(restarted?.updateBy, "op2");

      assert.equal(
        await store.pullTasks.update("pull_1", {
          config: { ...config, sourceUrls: ["http://127.0.0.1:9/b.mp4"] },
          startTime: at(0),
          endTime: at(90_000),
          status: "pause",
          operator: "op3",
          relayChanged: true,
        }),
        true,
      );
      const updated = await store.pullTasks.get("pull_1");
      assert.equal(updated?.configVersion, 1);
      assert.equal(updated?.status, "pause");
      assert.deepEqual(updated?.config.sourceUrls, ["http://127.0.0.1:9/b.mp4"]);
      assert.deepEqual(
        await store.pullTasks.inWindow(at(1000)),
        [],
        "a paused task is not in its window",
      );
      assert.equal(await store.pullTasks.count(), 1);
      assert.equal((await store.pullTasks.list({ offset: 0, limit: 10 })).length, 1);
      assert.equal(await store.pullTasks.delete("pull_1"), true);
      assert.equal(await store.pullTasks.delete("pull_1"), false);
      assert.equal(
        await store.pullTasks.update("pull_1", {
          config,
          startTime: at(0),
          endTime: at(1),
          status: "enable",
          operator: "x",
          relayChanged: false,
        }),
        false,
      );
    });
  });
}

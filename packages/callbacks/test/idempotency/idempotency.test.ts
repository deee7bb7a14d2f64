import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { RedisIdempotencyStore } from "../../src/idempotency/redis-store.js";
import {
  type CallbackEvent,
  DuplicateInProgressError,
  idempotencyKey,
  MemoryIdempotencyStore,
  parseEvent,
  withIdempotency,
} from "../../src/index.js";
import { sample, samples } from "../fixtures.js";

describe("idempotencyKey", () => {
  test("webhook-id wins when present", () => {
    const event = parseEvent(sample("push-2023"));
    assert.equal(idempotencyKey(event, { "webhook-id": "msg_1" }), "whid:msg_1");
  });

  test("natural keys: a push and its interruption differ; retries of one event agree", () => {
    const push = parseEvent(sample("push-2023"));
    const interruption = parseEvent(sample("interruption-2023"));
    assert.equal(idempotencyKey(push), "tc:1:2210464508206756938");
    assert.notEqual(idempotencyKey(push), idempotencyKey(interruption));
    const retry = parseEvent({ ...sample("push-2023"), t: 1703732999, sign: "other" });
    assert.equal(idempotencyKey(retry), idempotencyKey(push));
  });

  test("every sample has a key; only samples of the same event share one", () => {
    const keys = Object.keys(samples).map((name) => idempotencyKey(parseEvent(sample(name))));
    // Tencent 267/47025 and the 2021 English 267/38081 publish the same push (sequence
    // 6674468118806626493) on two pages.
    assert.equal(
      idempotencyKey(parseEvent(sample("push-zh"))),
      idempotencyKey(parseEvent(sample("push-en-2021"))),
    );
    assert.equal(new Set(keys).size, keys.length - 1, keys.join("\n"));
  });

  test("unknown events: same body without t/sign → same key", () => {
    const a = parseEvent({ event_type: 999, x: 1, t: 1, sign: "a" });
    const b = parseEvent({ event_type: 999, x: 1, t: 2, sign: "b" });
    const c = parseEvent({ event_type: 999, x: 2, t: 1, sign: "a" });
    assert.equal(idempotencyKey(a), idempotencyKey(b));
    assert.notEqual(idempotencyKey(a), idempotencyKey(c));
  });
});

describe("MemoryIdempotencyStore", () => {
  test("begin → in-progress → done; release frees the key", async () => {
    const store = new MemoryIdempotencyStore();
    assert.equal(await store.begin("k", 1000), "new");
    assert.equal(await store.begin("k", 1000), "in-progress");
    await store.release("k");
    assert.equal(await store.begin("k", 1000), "new");
    await store.complete("k", 1000);
    assert.equal(await store.begin("k", 1000), "done");
  });

  test("entries expire on the injected clock", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    await store.complete("k", 100);
    now = 99;
    assert.equal(await store.begin("k", 10), "done");
    now = 100;
    assert.equal(await store.begin("k", 10), "new");
  });

  test("least recently used entries are evicted past maxEntries", async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 2 });
    await store.complete("a", 1e6);
    await store.complete("b", 1e6);
    assert.equal(await store.begin("a", 1e6), "done"); // a is now the most recent
    await store.complete("c", 1e6); // evicts b
    assert.equal(store.size, 2);
    assert.equal(await store.begin("a", 1e6), "done");
    assert.equal(await store.begin("b", 1e6), "new");
  });
});

describe("RedisIdempotencyStore on the Redis at 127.0.0.1:6379", () => {
  let client: Redis;
  let other: Redis;
  const prefix = `onair-test:${randomUUID()}:`;

  before(async () => {
    client = new Redis({
      host: "127.0.0.1",
      port: 6379,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    other = new Redis({
      host: "127.0.0.1",
      port: 6379,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    await Promise.all([client.connect(), other.connect()]);
  });
  after(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    await Promise.all([client.quit(), other.quit()]);
  });

  test("begin / complete / release", async () => {
    const store = new RedisIdempotencyStore({ client, prefix });
    assert.equal(await store.begin("k1", 5000), "new");
    assert.equal(await store.begin("k1", 5000), "in-progress");
    await store.release("k1");
    assert.equal(await store.begin("k1", 5000), "new");
    await store.complete("k1", 5000);
    assert.equal(await store.begin("k1", 5000), "done");
    assert.ok((await client.pttl(`${prefix}k1`)) > 0, "done keys expire");
  });

  test("two processes racing on one event: exactly one wins", async () => {
    const a = new RedisIdempotencyStore({ client, prefix });
    const b = new RedisIdempotencyStore({ client: other, prefix });
    for (let i = 0; i < 50; i++) {
      const results = await Promise.all([a.begin(`race${i}`, 5000), b.begin(`race${i}`, 5000)]);
      assert.deepEqual(results.sort(), ["in-progress", "new"]);
    }
  });

  test("an expired claim is free again", async () => {
    const store = new RedisIdempotencyStore({ client, prefix });
    assert.equal(await store.begin("short", 1), "new");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await store.begin("short", 5000), "new");
  });
});

describe("withIdempotency", () => {
  const event = parseEvent(sample("push-2023"));
  const context = { webhookId: undefined, headers: {} };

  test("a duplicate after success is acknowledged without calling the handler", async () => {
    const seen: CallbackEvent[] = [];
    const handler = withIdempotency(async (e) => {
      seen.push(e);
    });
    await handler(event, context);
    await handler(event, context);
    assert.equal(seen.length, 1);
  });

  test("a failed handler releases its claim: the retry is handled", async () => {
    let calls = 0;
    const handler = withIdempotency(async () => {
      calls++;
      if (calls === 1) throw new Error("database down");
    });
    await assert.rejects(handler(event, context), /database down/);
    await handler(event, context);
    await handler(event, context);
    assert.equal(calls, 2);
  });

  test("a duplicate while the first is still running is refused, to be retried", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = withIdempotency(() => gate);
    const first = handler(event, context);
    await assert.rejects(handler(event, context), DuplicateInProgressError);
    release();
    await first;
  });
});

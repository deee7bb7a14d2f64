import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterEach, describe, test } from "node:test";
import { systemClock } from "../../src/domain/clock.js";
import { newId } from "../../src/domain/ids.js";
import { createEventCommitter } from "../../src/events/event-committer.js";
import { createNodeEvents } from "../../src/observability/node-events.js";
import { statementChannel } from "../../src/store/sql-runner.js";
import { routeCallbacks } from "../helpers/callback-route.js";
import { startTestDispatcher, type TestDispatcher } from "../helpers/test-dispatcher.js";
import { pushBody } from "./push-body.js";
import { type ReceiverProcess, startReceiver } from "./receiver.js";

const KEY = "HandoffKey";

const push = (i: number) => ({
  body: pushBody("d.example", i, 9_100_000_000_000_000_000n),
  domainName: "d.example",
  appName: "live",
  streamId: `s${i}`,
  source: "intake" as const,
  publishSequence: String(i),
});

async function route(d: TestDispatcher, url: string) {
  await routeCallbacks(d.store, {
    urls: { StreamBeginNotifyUrl: url },
    callbackKey: KEY,
    domainName: "d.example",
    appName: "live",
  });
}

describe("fresh deliveries handed to the committing node's dispatcher", () => {
  let receiver: ReceiverProcess | undefined;
  let d: TestDispatcher | undefined;
  afterEach(async () => {
    await d?.close();
    await receiver?.stop();
    d = undefined;
    receiver = undefined;
  });

  test("a fresh push goes out leased at commit: delivered with no claim's lease write", async () => {
    receiver = await startReceiver({ key: KEY });
    d = await startTestDispatcher({ flags: { dispatcher: { pollIntervalMs: 30 } } });
    await route(d, receiver.url);
    const statements: string[] = [];
    const onStatement = (message: unknown) => statements.push((message as { sql: string }).sql);
    subscribe(statementChannel.name, onStatement);
    try {
      const { deliveryIds } = await d.committer.commit(push(1));
      const [id] = deliveryIds;
      assert.ok(id);
      await d.waitForStatus(id, "delivered");
      const [got] = await receiver.waitFor(1);
      assert.equal(got?.webhookId, id);
      assert.ok(got?.verified, "signed with the template's key");
      assert.equal((await d.store.deliveries.attempts(id)).length, 1);
    } finally {
      unsubscribe(statementChannel.name, onStatement);
    }
    const leaseWrites = statements.filter((s) => /^UPDATE deliveries SET lease_owner = \?/.test(s));
    assert.deepEqual(leaseWrites, [], "no claim leased it: the append did");
  });

  test("a delivery committed leased to a node that dies before sending it is delivered by another node once the lease lapses", async () => {
    receiver = await startReceiver({ key: KEY });
    const leaseMs = 1000;
    d = await startTestDispatcher({
      postgres: true,
      nodeId: "survivor",
      flags: { dispatcher: { pollIntervalMs: 50, leaseMs } },
    });
    await route(d, receiver.url);
    // The other node on the same database: its dispatcher held room, the append committed the
    // delivery leased to it, and the process died before its dispatcher sent anything.
    const dying = createEventCommitter({
      store: d.store,
      config: d.config,
      clock: systemClock,
      newId,
      nodeEvents: createNodeEvents((_name, err) => {
        throw err;
      }),
      handoff: {
        reserve: () => ({
          lease: { owner: "dead-node:1", leaseMs },
          start() {},
          cancel() {},
        }),
      },
    });
    const { eventId, deliveryIds } = await dying.commit(push(2));
    const [id] = deliveryIds;
    assert.ok(id);
    assert.equal((await d.store.deliveries.get(id))?.leaseOwner, "dead-node:1");
    const delivered = await d.waitForStatus(id, "delivered");
    assert.equal(delivered.attempts, 1);
    const [got] = await receiver.waitFor(1);
    const createdAt = (await d.store.events.get(eventId))?.createdAt.getTime() ?? 0;
    assert.equal(got?.webhookId, id);
    assert.ok(got?.verified);
    assert.ok(
      (got?.at ?? 0) >= createdAt + leaseMs,
      `sent only after the dead node's lease lapsed (${(got?.at ?? 0) - createdAt} ms after commit)`,
    );
    assert.equal(receiver.received.length, 1, "sent once");
  });
});

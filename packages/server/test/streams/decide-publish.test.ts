import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import { loadConfig } from "../../src/config/load-config.js";
import type { Clock } from "../../src/domain/clock.js";
import type { StreamKey } from "../../src/domain/stream-key.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import {
  decidePublish,
  isLoopbackAddress,
  mayReplace,
  type PublishVerdict,
} from "../../src/streams/decide-publish.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const NOW_S = Math.floor(NOW.getTime() / 1000);
const clock: Clock = { now: () => new Date(NOW) };
const MAIN = "mainPushKey01";
const BACKUP = "backupPushKey02";
const key = (domainName: string, streamName = "cam1"): StreamKey => ({
  domainName,
  appName: "live",
  streamName,
});
const signed = (streamName: string, pushKey: string, expiresAt: number) => {
  const { txSecret, txTime } = signPushUrl({ key: pushKey, streamName, expiresAt });
  return `txSecret=${txSecret}&txTime=${txTime}`;
};
const LOCAL = { local: true };
const REMOTE = { local: false };

describe("decidePublish over a real SQLite store", () => {
  let dataDir: string;
  let store: Store;
  const decide = (
    streamKey: StreamKey,
    streamParam = "",
    origin = REMOTE,
    allowUnregisteredDomains: boolean | "loopback" = "loopback",
  ): Promise<PublishVerdict> =>
    decidePublish(
      {
        store,
        clock,
        config: loadConfig({ env: {}, flags: { dataDir, ingest: { allowUnregisteredDomains } } }),
      },
      streamKey,
      streamParam,
      origin,
    );

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "onair-decide-"));
    store = createSqliteStore({ path: join(dataDir, "onair.db") });
    await store.migrate();
    const noAuth = { enabled: false, mainKey: "", backupKey: "", authDeltaSeconds: 0 };
    await store.domains.create({ name: "open.example", type: 0, pushAuth: noAuth });
    await store.domains.create({ name: "play.example", type: 1, pushAuth: noAuth });
    await store.domains.create({
      name: "auth.example",
      type: 0,
      pushAuth: { enabled: true, mainKey: MAIN, backupKey: BACKUP, authDeltaSeconds: 0 },
    });
    await store.domains.create({
      name: "delta.example",
      type: 0,
      pushAuth: { enabled: true, mainKey: MAIN, backupKey: "", authDeltaSeconds: 300 },
    });
    await store.streams.forbid({
      ...key("open.example", "banned"),
      forbiddenAt: new Date(NOW.getTime() - 1000),
      resumeAt: null,
      reason: "test",
    });
    await store.streams.forbid({
      ...key("open.example", "lifted"),
      forbiddenAt: new Date(NOW.getTime() - 10_000),
      resumeAt: new Date(NOW.getTime() - 1000),
      reason: "test",
    });
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("an added push domain without auth: accepted, not authenticated", async () => {
    assert.deepEqual(await decide(key("open.example")), { ok: true, authenticated: false });
  });

  test("an unregistered domain under allowUnregisteredDomains", async () => {
    const stranger = key("stranger.example");
    assert.deepEqual(await decide(stranger, "", LOCAL, "loopback"), {
      ok: true,
      authenticated: false,
    });
    const remote = await decide(stranger, "", REMOTE, "loopback");
    assert.equal(remote.ok, false);
    assert.match(remote.ok ? "" : remote.reason, /loopback only/);
    assert.deepEqual(await decide(stranger, "", REMOTE, true), { ok: true, authenticated: false });
    const never = await decide(stranger, "", LOCAL, false);
    assert.deepEqual(never.ok ? null : [never.errcode, never.subErrcode], [18, null]);
  });

  test("a play domain cannot be pushed to", async () => {
    const verdict = await decide(key("play.example"), "", LOCAL, true);
    assert.equal(verdict.ok, false);
    assert.match(verdict.ok ? "" : verdict.reason, /play domain/);
  });

  test("a domain stopped with ForbidLiveDomain refuses publishes with 18/303 until enabled", async () => {
    await store.domains.setStatus("auth.example", 0);
    try {
      // Even a correctly signed publish: the domain itself is disabled.
      const verdict = await decide(key("auth.example"), signed("cam1", MAIN, NOW_S + 60));
      assert.deepEqual(verdict.ok ? null : [verdict.errcode, verdict.subErrcode], [18, 303]);
    } finally {
      await store.domains.setStatus("auth.example", 1);
    }
    assert.equal((await decide(key("auth.example"), signed("cam1", MAIN, NOW_S + 60))).ok, true);
  });

  test("push auth: the main or the backup key authenticates", async () => {
    for (const pushKey of [MAIN, BACKUP]) {
      assert.deepEqual(await decide(key("auth.example"), signed("cam1", pushKey, NOW_S + 60)), {
        ok: true,
        authenticated: true,
      });
    }
  });

  test("push auth refusals carry Tencent's sub_errcode (500 no time, 501 expired, 502 no secret, 503 mismatch)", async () => {
    const subErrcode = async (param: string) => {
      const verdict = await decide(key("auth.example"), param, LOCAL, true);
      assert.equal(verdict.ok, false, param);
      return verdict.ok ? undefined : [verdict.errcode, verdict.subErrcode];
    };
    assert.deepEqual(await subErrcode(""), [18, 500]);
    assert.deepEqual(await subErrcode(signed("cam1", MAIN, NOW_S - 1)), [18, 501]);
    assert.deepEqual(await subErrcode(`txTime=${(NOW_S + 60).toString(16)}`), [18, 502]);
    assert.deepEqual(await subErrcode(signed("cam1", "wrongKey", NOW_S + 60)), [18, 503]);
    assert.deepEqual(
      await subErrcode(signed("other", MAIN, NOW_S + 60)),
      [18, 503],
      "signed for another stream",
    );
  });

  test("AuthDelta lets a txTime be that many seconds past", async () => {
    assert.equal((await decide(key("delta.example"), signed("cam1", MAIN, NOW_S - 299))).ok, true);
    assert.equal((await decide(key("delta.example"), signed("cam1", MAIN, NOW_S - 301))).ok, false);
  });

  test("a forbidden stream is refused with 305 until its ban lifts", async () => {
    const banned = await decide(key("open.example", "banned"));
    assert.deepEqual(banned.ok ? null : [banned.errcode, banned.subErrcode], [18, 305]);
    assert.equal((await decide(key("open.example", "lifted"))).ok, true, "resumeAt passed");
  });
});

test("mayReplace: replace lets anyone, reject no one, replace-authenticated only the key holder", () => {
  const anonymous = { authenticated: false };
  const holder = { authenticated: true };
  assert.equal(mayReplace("replace", anonymous), true);
  assert.equal(mayReplace("reject", holder), false);
  assert.equal(mayReplace("replace-authenticated", anonymous), false);
  assert.equal(mayReplace("replace-authenticated", holder), true);
});

test("isLoopbackAddress: 127/8, ::1 and their IPv4-mapped forms only", () => {
  for (const address of [
    "127.0.0.1",
    "127.255.0.9",
    "::1",
    "::ffff:127.0.0.1",
    "::FFFF:127.0.0.2",
  ]) {
    assert.equal(isLoopbackAddress(address), true, address);
  }
  for (const address of [
    "128.0.0.1",
    "10.0.0.1",
    "::2",
    "0.0.0.0",
    "127.0.0",
    "::ffff:10.0.0.1",
    "localhost",
  ]) {
    assert.equal(isLoopbackAddress(address), false, address);
  }
});

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load-config.js";
import { OnAirError } from "../../src/errors.js";

test("defaults: ports 8080 and 1935, ./data, private callbacks allowed, Tencent's retry schedule", () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.httpPort, 8080);
  assert.equal(config.rtmpPort, 1935);
  assert.equal(config.dataDir, "./data");
  assert.equal(config.callbackAllowPrivate, true);
  assert.equal(config.retryPreset, "tencent-intl");
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.dispatcher));
});

test('retryPreset "seeds" still works as "tencent-intl" and warns once that it is deprecated', async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on("warning", onWarning);
  assert.equal(loadConfig({ env: { ONAIR_RETRY_PRESET: "seeds" } }).retryPreset, "tencent-intl");
  assert.equal(loadConfig({ flags: { retryPreset: "seeds" } }).retryPreset, "tencent-intl");
  assert.equal(loadConfig({ flags: { retryPreset: "tencent-2021" } }).retryPreset, "tencent-2021");
  await new Promise((resolve) => setImmediate(resolve)); // emitWarning delivers on the next tick
  process.off("warning", onWarning);
  const deprecations = warnings.filter((w) => w.name === "DeprecationWarning");
  assert.equal(deprecations.length, 1);
  assert.match(deprecations[0]?.message ?? "", /"seeds" is now called "tencent-intl"/);
});

test("layers: environment, then the file, then flags", () => {
  const file = join(mkdtempSync(join(tmpdir(), "onair-config-")), "onair.json");
  writeFileSync(
    file,
    JSON.stringify({ httpPort: 9001, dataDir: "/from/file", dispatcher: { concurrency: 8 } }),
  );
  const config = loadConfig({
    env: {
      ONAIR_HTTP_PORT: "9000",
      ONAIR_DATA_DIR: "/from/env",
      ONAIR_CALLBACK_ALLOW_PRIVATE: "false",
      ONAIR_CONFIG: file,
    },
    flags: { dataDir: "/from/flag" },
  });
  assert.equal(config.httpPort, 9001);
  assert.equal(config.dataDir, "/from/flag");
  assert.equal(config.callbackAllowPrivate, false);
  assert.equal(config.dispatcher.concurrency, 8);
  assert.equal(config.dispatcher.batchSize, 100, "nested defaults kept");
});

test("every problem is reported at once, naming its source", () => {
  const file = join(mkdtempSync(join(tmpdir(), "onair-config-")), "bad.json");
  writeFileSync(file, JSON.stringify({ httpPort: 70000, surprise: true }));
  try {
    loadConfig({
      env: { ONAIR_RTMP_PORT: "x", ONAIR_CALLBACK_ALLOW_PRIVATE: "maybe", ONAIR_LOG_LEVEL: "loud" },
      file,
    });
    assert.fail("should throw");
  } catch (err) {
    assert.ok(err instanceof OnAirError && err.code === "ONAIR_ERR_CONFIG");
    for (const expected of [
      "ONAIR_RTMP_PORT",
      "ONAIR_CALLBACK_ALLOW_PRIVATE",
      "httpPort",
      "surprise",
      "logLevel",
    ]) {
      assert.match(err.message, new RegExp(expected), `mentions ${expected}`);
    }
  }
});

test("an unreadable config file is a config error, not a crash", () => {
  assert.throws(
    () => loadConfig({ env: {}, file: "/nonexistent/onair.json" }),
    (e: unknown) => e instanceof OnAirError && /nonexistent/.test(e.message),
  );
});

test("playback.statsIntervalMs: a minute by default; a divisor of a minute, else a clear error", () => {
  assert.equal(loadConfig({ env: {} }).playback.statsIntervalMs, 60_000);
  assert.equal(
    loadConfig({ env: {}, flags: { playback: { statsIntervalMs: 1000 } } }).playback
      .statsIntervalMs,
    1000,
  );
  assert.throws(
    () => loadConfig({ env: {}, flags: { playback: { statsIntervalMs: 7000 } } }),
    (e: unknown) =>
      e instanceof OnAirError && /playback\.statsIntervalMs.*must divide 60000/.test(e.message),
  );
  assert.equal(loadConfig({ env: {} }).retention.playStatsMaxAgeMs, 31 * 24 * 3600_000);
});

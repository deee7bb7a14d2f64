import assert from "node:assert/strict";
import { test } from "node:test";
import { startBanner } from "../../src/cli/start-banner.js";
import { loadConfig } from "../../src/config/load-config.js";

const node = { httpPort: 8080, rtmpPort: 1935, secretId: "AKIDexample" };

test("the defaults: every URL on 127.0.0.1, the sign-in hint and a warning per exposed listener", () => {
  const lines = startBanner(loadConfig({ env: {} }), node).join("\n");
  assert.match(lines, /dashboard {5}http:\/\/127\.0\.0\.1:8080\/dashboard\//);
  assert.match(
    lines,
    /API \(TC3\) {5}http:\/\/127\.0\.0\.1:8080\/ {2}\(SDK endpoint 127\.0\.0\.1:8080\)/,
  );
  assert.match(lines, /RTMP ingest {3}rtmp:\/\/127\.0\.0\.1:1935\/live\/STREAM\?domain=/);
  assert.match(lines, /files {9}http:\/\/127\.0\.0\.1:8080\/files\//);
  assert.match(lines, /metrics {7}http:\/\/127\.0\.0\.1:8080\/metrics/);
  assert.match(
    lines,
    /sign in with {2}SecretId AKIDexample, SecretKey in \.\/data\/credentials\.json/,
  );
  assert.match(lines, /warning: HTTP listens on every interface \(httpHost=0\.0\.0\.0\)/);
  assert.match(lines, /warning: RTMP listens on every interface \(rtmpHost=0\.0\.0\.0\)/);
  // Unregistered domains are loopback-only by default: nothing to warn about.
  assert.doesNotMatch(lines, /without push auth \(ingest\.allowUnregisteredDomains=true\)/);
});

test("loopback binds: no listener warning; unregistered domains from anywhere: warned", () => {
  const config = loadConfig({
    env: {},
    flags: {
      httpHost: "127.0.0.1",
      rtmpHost: "127.0.0.1",
      ingest: { allowUnregisteredDomains: true },
    },
  });
  const lines = startBanner(config, node).join("\n");
  assert.doesNotMatch(lines, /listens on every interface/);
  assert.match(
    lines,
    /warning: any publisher may push to a domain never added with AddLiveDomain, without push auth/,
  );
});

test("ingest off and a public URL: the banner says so and uses the public URL", () => {
  const config = loadConfig({
    env: {},
    flags: { publicUrl: "https://onair.example.com/", ingest: { enabled: false } },
  });
  const lines = startBanner(config, { ...node, rtmpPort: null }).join("\n");
  assert.match(lines, /dashboard {5}https:\/\/onair\.example\.com\/dashboard\//);
  assert.match(lines, /RTMP ingest {3}off/);
  assert.doesNotMatch(lines, /RTMP listens/);
});

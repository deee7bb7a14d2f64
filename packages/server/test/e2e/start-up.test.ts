import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/load-config.js";
import { REPO_ROOT } from "../helpers/doc-blocks.js";
import { ONAIR_BIN, startOnAirProcess } from "../helpers/onair-start.js";

/**
 * `onair start` as a newcomer meets it, as a spawned process with stdout a pipe: the banner with
 * every URL and the sign-in hint on the first and on a later start, JSON log lines (pretty ones
 * are for a terminal), `GET /` leading to the dashboard; and the example config file is valid.
 */

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function startOnce(dataDir: string): Promise<{ stdout: string; stderr: string }> {
  const started = await startOnAirProcess(dataDir, {
    env: { ONAIR_SECRET_ID: "", ONAIR_SECRET_KEY: "" },
    ready: (stdout, stderr) => stdout.includes("OnAir started") && stderr.includes("sign in with"),
  });
  const { stdout, stderr } = started;
  const dashboard = /dashboard {5}(http:\/\/127\.0\.0\.1:\d+)\/dashboard\//.exec(stderr)?.[1];
  assert.ok(dashboard, stderr);
  const root = await fetch(`${dashboard}/`, { redirect: "manual" });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get("location"), "/dashboard/");
  await started.stop();
  return { stdout, stderr };
}

test("first and second start: banner with every URL and the sign-in hint; JSON logs on a pipe; GET / → 302", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-start-"));
  dirs.push(dataDir);
  const first = await startOnce(dataDir);
  assert.match(first.stderr, /OnAir secrets generated on this start/);
  const second = await startOnce(dataDir);
  assert.doesNotMatch(second.stderr, /secrets generated/);
  for (const run of [first, second]) {
    for (const surface of ["dashboard", "API \\(TC3\\)", "RTMP ingest", "files", "metrics"]) {
      assert.match(run.stderr, new RegExp(`^  ${surface} +\\S+`, "m"), surface);
    }
    assert.match(run.stderr, /sign in with {2}SecretId AKID\w+, SecretKey in .*credentials\.json/);
    for (const line of run.stdout.split("\n").filter(Boolean)) {
      assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
    }
  }
});

test("onair.example.json at the repository root is a valid configuration", () => {
  const config = loadConfig({ env: {}, file: join(REPO_ROOT, "onair.example.json") });
  assert.equal(config.httpHost, "127.0.0.1");
  assert.equal(config.ingest.allowUnregisteredDomains, "loopback");
});

test("onair --version prints the server package's version", async () => {
  const child = spawn(process.execPath, [ONAIR_BIN, "--version"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 0);
  assert.match(out.trim(), /^\d+\.\d+\.\d+$/);
});

test("the logger: pino-pretty's human lines when asked (a terminal), JSON otherwise", async () => {
  const logger = new URL("../../src/observability/logger.js", import.meta.url).href;
  const lines = async (pretty: boolean) => {
    const script = `const { createLogger } = await import(${JSON.stringify(logger)});
      createLogger({ level: "info", pretty: ${pretty} }).warn({ sign: "s3cret" }, "hello");`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    await new Promise((resolve) => child.once("exit", resolve));
    return out;
  };
  const human = await lines(true);
  assert.match(human, /^\[\d\d:\d\d:\d\d\] .*WARN.*: .*hello/);
  assert.doesNotMatch(human, /s3cret/);
  const json = JSON.parse(await lines(false)) as Record<string, unknown>;
  assert.equal(json.msg, "hello");
  assert.equal(json.sign, "[redacted]");
});

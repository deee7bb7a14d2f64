import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const bin = fileURLToPath(new URL("../../../bin/onair.js", import.meta.url));
const run = promisify(execFile);

async function onair(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("the onair command", () => {
  let server: ChildProcess;
  let dataDir: string;
  let url: string;
  let serverStderr = "";

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "onair-cli-"));
    server = spawn(
      process.execPath,
      [
        bin,
        "start",
        "--http-port",
        "0",
        "--http-host",
        "127.0.0.1",
        "--rtmp-port",
        "0",
        "--rtmp-host",
        "127.0.0.1",
        "--data-dir",
        dataDir,
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    server.stderr!.on("data", (chunk: Buffer) => {
      serverStderr += chunk.toString();
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const started = /"httpPort":(\d+)[^\n]*OnAir started/.exec(out);
        if (started) resolve(`http://127.0.0.1:${started[1]}`);
      });
      server.once("exit", (code) => reject(new Error(`onair start exited with ${code}`)));
    });
  });
  after(async () => {
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("first start generates credentials, saves them owner-only and prints them", () => {
    const file = join(dataDir, "credentials.json");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, "utf8")) as { secretId: string; secretKey: string };
    assert.match(saved.secretId, /^AKID[0-9a-f]{32}$/);
    assert.ok(serverStderr.includes(saved.secretId) && serverStderr.includes(saved.secretKey));
  });

  test("deliveries list talks to the running server with the saved credentials", async () => {
    const result = await onair(["deliveries", "list", "--url", url, "--data-dir", dataDir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /no deliveries/);
    const json = await onair(["deliveries", "list", "--url", url, "--data-dir", dataDir, "--json"]);
    assert.deepEqual(JSON.parse(json.stdout).Deliveries, []);
  });

  test("redeliver --all-dead --dry-run reports what it would do", async () => {
    const result = await onair([
      "deliveries",
      "redeliver",
      "--all-dead",
      "--dry-run",
      "--url",
      url,
      "--data-dir",
      dataDir,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /would redeliver 0 deliveries/);
  });

  test("an unknown delivery: one line on stderr with Tencent's code, exit 1", async () => {
    const result = await onair([
      "deliveries",
      "show",
      "msg_nope",
      "--url",
      url,
      "--data-dir",
      dataDir,
    ]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split("\n").length, 1);
    assert.match(result.stderr, /^onair: ResourceNotFound/);
  });

  test("wrong credentials: a one-line AuthFailure, exit 1", async () => {
    const result = await onair(["deliveries", "list", "--url", url], {
      ONAIR_SECRET_ID: "AKIDx",
      ONAIR_SECRET_KEY: "nope",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /AuthFailure\.SecretIdNotFound/);
  });

  test("bad input: one line and a non-zero exit", async () => {
    const port = await onair(["start", "--http-port", "abc"]);
    assert.notEqual(port.code, 0);
    assert.match(port.stderr, /"abc" is not an integer/);
    const config = await onair(["start"], {
      ONAIR_HTTP_PORT: "x",
      ONAIR_LOG_LEVEL: "loud",
      ONAIR_DATA_DIR: dataDir,
    });
    assert.equal(config.code, 1);
    assert.match(config.stderr, /ONAIR_HTTP_PORT: "x" is not an integer/);
    assert.match(config.stderr, /logLevel/);
    const unknown = await onair(["frobnicate"]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command/);
  });

  test("--help has examples", async () => {
    const help = await onair(["deliveries", "redeliver", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
  });
});

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../../bin/onair.js", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `onair start` on `dataDir` until it has started, then stops it with SIGTERM. */
async function startAndStop(dataDir: string): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [bin, "start", "--http-port", "0", "--http-host", "127.0.0.1", "--rtmp-port", "0"].concat([
      "--rtmp-host",
      "127.0.0.1",
      "--data-dir",
      dataDir,
    ]),
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ONAIR_SECRET_KEY: "" } },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("OnAir started") && stderr.includes("OnAir ingest policy")) resolve();
    });
    child.stderr.on("data", () => {
      if (stdout.includes("OnAir started") && stderr.includes("OnAir ingest policy")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`onair start exited with ${code}: ${stderr}`)));
  });
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  return { stdout, stderr };
}

const mode = (path: string) => statSync(path).mode & 0o777;

test("a first start creates the data directory, database, WAL and credentials owner-only", async () => {
  const parent = mkdtempSync(join(tmpdir(), "onair-modes-"));
  dirs.push(parent);
  const dataDir = join(parent, "data");
  const { stderr } = await startAndStop(dataDir);
  assert.equal(mode(dataDir), 0o700);
  assert.equal(mode(join(dataDir, "files")), 0o700);
  for (const file of ["onair.db", "credentials.json"]) {
    assert.equal(mode(join(dataDir, file)), 0o600, file);
  }
  assert.match(
    stderr,
    /OnAir ingest policy: unregistered push domains accepted from loopback publishers only; a live stream is replaced only by a publisher with the domain's push key/,
  );
});

test("the WAL and shared-memory files take the database's owner-only mode", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-modes-wal-"));
  dirs.push(dataDir);
  const child = spawn(
    process.execPath,
    [bin, "start", "--http-port", "0", "--http-host", "127.0.0.1", "--rtmp-port", "0"].concat([
      "--rtmp-host",
      "127.0.0.1",
      "--data-dir",
      dataDir,
    ]),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("OnAir started")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`onair start exited with ${code}`)));
  });
  // While the server runs, WAL mode keeps both files next to the database.
  assert.equal(mode(join(dataDir, "onair.db-wal")), 0o600);
  assert.equal(mode(join(dataDir, "onair.db-shm")), 0o600);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
});

test("files an older version left readable are tightened at start, with a log line", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-modes-old-"));
  dirs.push(dataDir);
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, "onair.db"), "");
  chmodSync(join(dataDir, "onair.db"), 0o644);
  mkdirSync(join(dataDir, "files", "live"), { recursive: true, mode: 0o755 });
  chmodSync(join(dataDir, "files"), 0o755);
  const recording = join(dataDir, "files", "live", "cam1.1700000000000.flv");
  writeFileSync(recording, "FLV");
  chmodSync(recording, 0o644);
  // A link out of the directory is left alone: chmod would change its target.
  const outside = join(mkdtempSync(join(tmpdir(), "onair-outside-")), "shared.txt");
  dirs.push(join(outside, ".."));
  writeFileSync(outside, "not OnAir's");
  chmodSync(outside, 0o644);
  symlinkSync(outside, join(dataDir, "files", "live", "link.flv"));

  const { stdout } = await startAndStop(dataDir);
  assert.equal(mode(dataDir), 0o700);
  assert.equal(mode(join(dataDir, "onair.db")), 0o600);
  assert.equal(mode(join(dataDir, "files")), 0o700);
  assert.equal(mode(join(dataDir, "files", "live")), 0o700);
  assert.equal(mode(recording), 0o600);
  assert.equal(mode(outside), 0o644, "the symlink's target is untouched");
  assert.match(stdout, /tightened permissions of existing data files/);
});

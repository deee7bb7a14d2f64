import assert from "node:assert/strict";
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
import { startOnAirProcess } from "../helpers/onair-start.js";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `onair start` on `dataDir` until it has started, then stops it with SIGTERM. */
async function startAndStop(dataDir: string): Promise<{ stdout: string; stderr: string }> {
  const started = await startOnAirProcess(dataDir, {
    env: { ONAIR_SECRET_KEY: "" },
    ready: (stdout, stderr) =>
      stdout.includes("OnAir started") && stderr.includes("OnAir ingest policy"),
  });
  await started.stop();
  return { stdout: started.stdout, stderr: started.stderr };
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
  const started = await startOnAirProcess(dataDir, {
    ready: (stdout) => stdout.includes("OnAir started"),
  });
  // While the server runs, WAL mode keeps both files next to the database.
  assert.equal(mode(join(dataDir, "onair.db-wal")), 0o600);
  assert.equal(mode(join(dataDir, "onair.db-shm")), 0o600);
  await started.stop();
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

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { OnAir } from "../../src/app.js";
import { readErrorBody } from "../helpers/error-body.js";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { pushBody } from "./push-body.js";

const DOMAIN = "push.disk-full.test";
const TOKEN = "diskFullIntakeToken0123456789";

/** Every file under `dir`, recursively. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Writes zeros to `path` until the file system is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch {
        // The last partial chunks: a page at a time until not one byte fits.
        try {
          writeSync(fd, chunk.subarray(0, 4096));
        } catch {
          return;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** OnAir on `dataDir`, logging into `lines` (one parsed pino line each). */
async function boot(dataDir: string, lines: Record<string, unknown>[]): Promise<OnAir> {
  const { logger } = captureLogs("info", lines);
  const node = await startTestOnAir({
    rtmp: true,
    dataDir,
    logger,
    flags: {
      secretKey: TOKEN,
      intakeToken: TOKEN,
      dispatcher: { pollIntervalMs: 50 },
      ingest: { defaultDomain: DOMAIN, idleTimeoutMs: 5000 },
      recording: { minIntervalSeconds: 1 },
      metrics: { writeProbeMaxAgeMs: 0 },
    },
  });
  return node.onair;
}

/**
 * Issue 11, defect 10: with the data directory's disk full, intake answered 500 while /healthz
 * said ok, the log got a stack per FLV tag, and empty `.flv.json` sidecars raised a SyntaxError
 * on every restart. Here on a real 8 MiB tmpfs with a real ffmpeg push being recorded.
 */
test("disk full: intake 503 + Retry-After, /healthz 503, bounded logs, no empty sidecar, clean recovery", async (t) => {
  const mountPoint = mkdtempSync(join(tmpdir(), "onair-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint], {
      stdio: "pipe",
    });
  } catch (err) {
    const reason = `cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
    process.stdout.write(`# disk-full test skipped: ${reason}\n`);
    rmSync(mountPoint, { recursive: true, force: true });
    t.skip(reason);
    return;
  }
  let onair: OnAir | undefined;
  try {
    const dataDir = join(mountPoint, "data");
    const lines: Record<string, unknown>[] = [];
    onair = await boot(dataDir, lines);
    const template = await onair.store.recording.createTemplate({
      name: "flv",
      description: "",
      params: { Flv: { RecordInterval: 1, StorageTime: 0, Enable: 1 } },
    });
    await onair.store.recording.upsertRule({
      domainName: DOMAIN,
      appName: "",
      streamName: "",
      templateId: template.id,
    });
    const base = `http://127.0.0.1:${onair.httpPort}`;
    const recordDir = join(dataDir, "files");
    const ffmpeg = publishWithFfmpeg(`rtmp://127.0.0.1:${onair.rtmpPort}/live/full`, {
      seconds: 10,
    });
    // Recording has started once a first FLV file is being written.
    await waitFor(
      "a first FLV file",
      () => walk(dataDir).some((f) => f.endsWith(".flv.part") || f.endsWith(".flv")),
      { timeoutMs: 30_000 },
    );
    assert.equal((await fetch(`${base}/healthz`)).status, 200);

    fillDisk(join(mountPoint, "filler"));
    const post = (i: number) =>
      fetch(`${base}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          ...pushBody(DOMAIN, i, 9_200_000_000_000_000_000n),
          t: 1,
          sign: "x",
        }),
      });
    const statuses = new Map<number, number>();
    let refused: Response | undefined;
    let sent = 0;
    while (sent < 20_000) {
      const batch = await Promise.all(Array.from({ length: 16 }, () => post(sent++)));
      for (const r of batch) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 503 && !refused) refused = r;
        else await r.body?.cancel();
      }
      if ((statuses.get(503) ?? 0) >= 200) break;
    }
    assert.ok(refused, `intake refused nothing: ${JSON.stringify([...statuses])}`);
    assert.equal(statuses.get(500) ?? 0, 0, `no 500s: ${JSON.stringify([...statuses])}`);
    assert.equal(refused.headers.get("retry-after"), "30");
    const body = await readErrorBody(refused);
    assert.equal(body.code, "ONAIR_ERR_STORAGE_FULL");
    assert.match(body.message, /storage is full/);

    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 503);
    const healthError = await readErrorBody(health);
    assert.equal(healthError.code, "ONAIR_ERR_STORAGE_FULL");
    assert.match(healthError.message, /cannot write/);

    // The push goes on while the disk stays full: new files start and fail.
    await ffmpeg.exited;
    await onair.stop().catch(() => undefined);
    onair = undefined;

    const writeFailures = lines.filter((l) => l.msg === "recording write failed");
    const files = new Set(writeFailures.map((l) => l.file));
    assert.ok(writeFailures.length > 0, "the recorder met the full disk");
    assert.equal(writeFailures.length, files.size, "one line per file, not one per tag");
    assert.ok(
      writeFailures.every((l) => l.err === undefined),
      "no stack for an expected failure",
    );
    const intakeLines = lines.filter((l) => String(l.msg).startsWith("intake: storage full"));
    assert.ok(intakeLines.length <= 2, `rate-limited: ${intakeLines.length} lines`);
    assert.ok(lines.length < 200, `the log stayed short: ${lines.length} lines`);

    const sidecars = walk(recordDir).filter((f) => f.endsWith(".json"));
    for (const sidecar of sidecars) {
      assert.ok(statSync(sidecar).size > 0, `empty sidecar ${sidecar}`);
      JSON.parse(readFileSync(sidecar, "utf8"));
    }
    assert.deepEqual(
      walk(recordDir).filter((f) => f.endsWith(".tmp")),
      [],
      "no half-written temp file",
    );

    // Space back: a restart recovers what the full disk left, without a SyntaxError.
    rmSync(join(mountPoint, "filler"));
    const restart: Record<string, unknown>[] = [];
    onair = await boot(dataDir, restart);
    const trouble = restart.filter(
      (l) => /SyntaxError|could not recover/.test(JSON.stringify(l)) || Number(l.level) >= 50,
    );
    assert.deepEqual(trouble, [], "recovery met nothing it could not read");
    assert.deepEqual(
      walk(recordDir).filter((f) => f.endsWith(".part") || f.endsWith(".json")),
      [],
      "every file finished and reported",
    );
    assert.equal(
      (await fetch(`${base.replace(/:\d+$/, `:${onair.httpPort}`)}/healthz`)).status,
      200,
    );
  } finally {
    await onair?.stop().catch(() => undefined);
    try {
      execFileSync("umount", [mountPoint], { stdio: "pipe" });
    } catch {
      execFileSync("umount", ["-l", mountPoint], { stdio: "pipe" });
    }
    rmSync(mountPoint, { recursive: true, force: true });
  }
});

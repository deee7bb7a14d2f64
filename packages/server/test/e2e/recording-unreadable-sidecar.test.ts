import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { encodeFlvTag, FLV_HEADER } from "../../src/media/flv-file.js";
import { captureLogs } from "../helpers/log-capture.js";
import { startTestOnAir } from "../helpers/test-onair.js";

/**
 * Issue 11, defect 10: an empty or cut-short `.flv.json` sidecar (left by a full disk before
 * sidecars were written atomically) raised a SyntaxError on every start. Now one warning, the
 * media is finished and kept, the sidecar moved aside — and the next start says nothing.
 */
test("an unreadable sidecar: one warning, the .part finished, nothing on the next start", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "onair-sidecar-"));
  const dir = join(dataDir, "files", "record", "d.example", "live", "cam");
  mkdirSync(dir, { recursive: true });
  const flv = join(dir, "cam_20260101000000_1.flv");
  const tag = encodeFlvTag({ type: 8, timestamp: 0, data: Buffer.from([0xaf, 1, 0, 0]) }, 0);
  // A complete header and tag, then half a tag: the part a crash or full disk leaves.
  writeFileSync(`${flv}.part`, Buffer.concat([FLV_HEADER, tag, tag.subarray(0, 5)]));
  writeFileSync(`${flv}.json`, "");
  const empty = join(dir, "cam_20260101000100_2.flv.json");
  writeFileSync(empty, '{"domainName":"d.exa');
  const boot = async () => {
    const { logger, lines } = captureLogs("info");
    const node = await startTestOnAir({ dataDir, logger });
    await node.stop();
    return lines;
  };
  try {
    const first = await boot();
    const warnings = first.filter((l) => String(l.msg).startsWith("unreadable recording sidecar"));
    assert.equal(warnings.length, 2, "one warning per unreadable sidecar");
    assert.deepEqual(
      first.filter((l) => Number(l.level) >= 50 || /SyntaxError/.test(JSON.stringify(l))),
      [],
    );
    assert.ok(existsSync(flv), "the .part was finished into the .flv");
    assert.ok(!existsSync(`${flv}.part`));
    assert.equal(readFileSync(flv).length, FLV_HEADER.length + tag.length, "cut to the last tag");
    assert.ok(existsSync(`${flv}.json.unreadable`), "the sidecar of kept media is moved aside");
    assert.ok(!existsSync(empty), "a sidecar without media is removed");

    const second = await boot();
    assert.deepEqual(
      second.filter((l) => /sidecar|recover|SyntaxError/.test(JSON.stringify(l))),
      [],
      "the next start meets nothing",
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  type Classifier,
  createClassifier,
  ModerationError,
  mapToTencent,
  type Scores,
} from "../src/index.js";
import { testPatternJpeg } from "./fixtures.js";

const run = promisify(execFile);

const isModerationError = (code: string) => (err: unknown) =>
  err instanceof ModerationError && err.code === code;

describe("createClassifier (real nsfwjs MobileNetV2 in a worker)", () => {
  let jpeg: Buffer;
  let classifier: Classifier;
  const debugLines: string[] = [];

  before(async () => {
    jpeg = await testPatternJpeg();
    classifier = createClassifier({ onDebug: (line) => debugLines.push(line) });
  });
  after(() => classifier.close());

  it("loads the bundled model and routes its banner to onDebug", async () => {
    const { loadMs } = await classifier.ready;
    assert.ok(loadMs > 0);
    assert.ok(debugLines.some((line) => line.includes("MobileNetV2")));
  });

  it("scores the test pattern deterministically, as a drawing", async () => {
    const first = await classifier.classify(jpeg);
    const second = await classifier.classify(jpeg);
    assert.ok(first && second);
    assert.deepEqual(second, first);
    const total = Object.values(first).reduce((sum, p) => sum + p, 0);
    assert.ok(Math.abs(total - 1) < 1e-3, `probabilities sum to ${total}`);
    assert.ok(first.Drawing > 0.5, `Drawing ${first.Drawing}`);
  });

  it("passes the test pattern with default thresholds and blocks it at 0", async () => {
    const scores = await classifier.classify(jpeg);
    assert.ok(scores);
    const verdict = mapToTencent(scores);
    assert.deepEqual([verdict.label, verdict.suggestion], ["Normal", "Pass"]);
    const strict = mapToTencent(scores, { porn: 0, sexy: 0 });
    assert.deepEqual([strict.label, strict.suggestion], ["Porn", "Block"]);
  });

  it("rejects bytes that are not a JPEG and keeps working", async () => {
    await assert.rejects(
      classifier.classify(Buffer.from("not a jpeg")),
      isModerationError("ONAIR_ERR_MODERATION_BAD_IMAGE"),
    );
    assert.ok(await classifier.classify(jpeg));
  });
});

describe("createClassifier queue", () => {
  it("drops the oldest jobs when 50 arrive at once with queueSize 4", async () => {
    const jpeg = await testPatternJpeg("320x180");
    const classifier = createClassifier({ queueSize: 4 });
    try {
      await classifier.ready;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => classifier.classify(jpeg)),
      );
      const nulls = results.filter((r) => r === null).length;
      assert.ok(classifier.dropped > 0);
      assert.equal(nulls, classifier.dropped);
      // One job goes straight to the idle worker; the newest 4 wait and survive.
      assert.equal(50 - nulls, 5);
      assert.ok(results.slice(-4).every((r): r is Scores => r !== null));
      assert.ok(results[0] !== null);
    } finally {
      await classifier.close();
    }
  });

  it("resolves pending jobs with null on close and refuses new ones", async () => {
    const classifier = createClassifier({ queueSize: 2 });
    const pending = classifier.classify(Buffer.alloc(0));
    await classifier.close();
    assert.equal(await pending, null);
    await assert.rejects(classifier.ready, isModerationError("ONAIR_ERR_MODERATION_CLOSED"));
    await assert.rejects(
      classifier.classify(Buffer.alloc(0)),
      isModerationError("ONAIR_ERR_MODERATION_CLOSED"),
    );
  });

  it("validates its options", () => {
    assert.throws(
      () => createClassifier({ queueSize: 0 }),
      isModerationError("ONAIR_ERR_MODERATION_BAD_OPTION"),
    );
  });
});

/** `unshare -n` needs root (or user namespaces); without it the offline proof is skipped. */
function unshareWorks(): boolean {
  try {
    execFileSync("unshare", ["-n", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("offline", () => {
  it("classifies with no network at all (unshare -n) and prints nothing but its result", {
    skip: unshareWorks() ? false : "unshare -n is not available (needs root)",
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "onair-moderation-"));
    try {
      const jpeg = await testPatternJpeg();
      const file = join(dir, "testsrc.jpg");
      await writeFile(file, jpeg);
      const child = fileURLToPath(new URL("./offline-child.js", import.meta.url));
      const { stdout } = await run("unshare", ["-n", process.execPath, child, file]);
      const lines = stdout.trim().split("\n");
      assert.equal(lines.length, 1, `unexpected stdout: ${stdout}`);
      const result = JSON.parse(lines[0] ?? "") as {
        interfaces: string[];
        connect: string;
        scores: Scores | null;
      };
      const { interfaces, scores } = result;
      assert.ok(
        interfaces.every((name) => name === "lo"),
        `interfaces: ${interfaces}`,
      );
      assert.equal(result.connect, "ENETUNREACH");
      assert.ok(scores);
      assert.equal(mapToTencent(scores).suggestion, "Pass");
      // Same bytes, same model, another process: same numbers.
      const local = createClassifier();
      try {
        assert.deepEqual(await local.classify(jpeg), scores);
      } finally {
        await local.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

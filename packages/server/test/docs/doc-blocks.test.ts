import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { type ReceiverProcess, startReceiver } from "../e2e/receiver.js";
import {
  type DocAddresses,
  docBlocks,
  REPO_ROOT,
  RUNNABLE_LANGS,
  runTsBlock,
  withTestAddresses,
} from "../helpers/doc-blocks.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

/**
 * Every ```sh, ```bash and ```ts block of README.md and docs/*.md runs, as pasted, against a
 * live OnAir and a receiver on loopback, unless its info string says `illustrative`
 * (CONTRIBUTING.md, "Docs"). Only the documented addresses are rewritten to the test's ports
 * (withTestAddresses). Shell blocks run with bash -e from the repository root, with the
 * node's address and credentials in ONAIR_URL, ONAIR_SECRET_ID and ONAIR_SECRET_KEY as a reader
 * would have them; TypeScript blocks run as modules with the README's `live` client in scope.
 */

const run = promisify(execFile);
const DOCS = [
  "README.md",
  ...readdirSync(`${REPO_ROOT}docs`)
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const runnable = DOCS.flatMap(docBlocks).filter(
  (b) => RUNNABLE_LANGS.has(b.lang) && !b.illustrative,
);

describe("the docs' shell and TypeScript blocks run", { timeout: 120_000 }, () => {
  let node: TestOnAir;
  let receiver: ReceiverProcess;
  let at: DocAddresses & { listen: string };

  before(async () => {
    receiver = await startReceiver({ key: "MyCallbackKey" });
    node = await startTestOnAir({ rtmp: true });
    at = {
      http: `127.0.0.1:${node.onair.httpPort}`,
      rtmpPort: node.onair.rtmpPort ?? 0,
      receiverUrl: receiver.url,
      listen: receiver.url.replace(/\/callbacks$/, ""),
    };
  });
  after(async () => {
    await node?.stop();
    await receiver?.stop();
  });

  test("there are blocks to run, in README.md and docs/", () => {
    assert.ok(runnable.some((b) => b.file === "README.md" && b.lang === "ts"));
    assert.ok(runnable.some((b) => b.file === "docs/cli.md" && b.lang === "sh"));
  });

  for (const block of runnable) {
    test(`${block.file}:${block.line} (${block.lang})`, async () => {
      // `onair listen`'s default address is the receiver's here.
      const code = withTestAddresses(block.code, at).replaceAll("http://127.0.0.1:4040", at.listen);
      const hint = `${block.file}:${block.line} failed; mark it \`\`\`${block.lang} illustrative if it is not meant to run as pasted`;
      if (block.lang === "ts" || block.lang === "typescript") {
        // As the sh blocks get them: a reader's shell has the credentials exported.
        process.env.ONAIR_SECRET_ID = node.secretId;
        process.env.ONAIR_SECRET_KEY = node.secretKey;
        await runTsBlock(block, code, {
          secretId: node.secretId,
          secretKey: node.secretKey,
          live: node.sdk,
        }).catch((err: unknown) => assert.fail(`${hint}: ${String(err)}`));
        return;
      }
      await run("bash", ["-euo", "pipefail", "-c", code], {
        cwd: REPO_ROOT,
        timeout: 30_000,
        env: {
          ...process.env,
          ONAIR_URL: node.httpUrl,
          ONAIR_SECRET_ID: node.secretId,
          ONAIR_SECRET_KEY: node.secretKey,
          NO_COLOR: "1",
        },
      }).catch((err: { stderr?: string; message: string }) =>
        assert.fail(`${hint}:\n${err.stderr || err.message}`),
      );
    });
  }
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { docBlocks, REPO_ROOT } from "../helpers/doc-blocks.js";

/**
 * packages/callbacks/README.md's way into an app, since `@onair/callbacks` is not on npm: its
 * `npm pack` line run in the clone (built, as after `npm start`), its `npm install` of the tarball
 * in an empty app (offline: the package has no dependencies), then an import of the package and
 * of an adapter subpath. Only /tmp is the test's own directory.
 */

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "onair-tarball-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the callbacks package README's npm pack and npm install lines give an importable package", {
  timeout: 120_000,
}, async () => {
  const block = docBlocks("packages/callbacks/README.md").find((b) => b.code.includes("npm pack"));
  assert.ok(block, "packages/callbacks/README.md shows npm pack");
  const line = (start: string) => {
    const found = block.code.split("\n").find((l) => l.startsWith(start));
    assert.ok(found, `the block has a line starting with ${start}`);
    return found.replace(/\s+#.*$/, "").replaceAll("/tmp", dir);
  };
  await run("bash", ["-ec", line("npm pack")], { cwd: REPO_ROOT });

  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), '{ "name": "app", "type": "module" }\n');
  await run("bash", ["-ec", `${line("npm install /tmp")} --offline --no-audit --no-fund`], {
    cwd: app,
  });
  const { stdout } = await run(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { verify, EventType } = await import("@onair/callbacks");
       const { createNodeHandler } = await import("@onair/callbacks/node");
       console.log(typeof verify, EventType.Push, typeof createNodeHandler);`,
    ],
    { cwd: app },
  );
  assert.equal(stdout.trim(), "function 1 function");
});

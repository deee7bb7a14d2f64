import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm test -w onair`: every test file of dist/test but the docs' (their own CI step) and the
 * soaks (`npm run soak`). Most files wait on sockets, ffmpeg and timers far more than they use
 * the CPU, so they run two at a time; a file whose assertions measure time or pace (it says so
 * in a line starting `// Runs alone:`) runs afterwards with nothing beside it. A file path given
 * as an argument narrows the run to it.
 */

const testRoot = fileURLToPath(new URL(".", import.meta.url));
const MARKER = /^\/\/ Runs alone:/m;
const concurrency = Number(process.env.ONAIR_TEST_CONCURRENCY ?? 2);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return ["docs", "soak"].includes(entry.name) ? [] : testFiles(path);
      return entry.name.endsWith(".test.js") ? [path] : [];
    })
    .sort();
}

function runNodeTest(files: string[], perFile: number): Promise<number> {
  if (files.length === 0) return Promise.resolve(0);
  const args = ["--test", "--test-reporter=spec", `--test-concurrency=${perFile}`, ...files];
  const child = spawn(process.execPath, args, { stdio: "inherit" });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

const chosen = process.argv.slice(2);
const files = chosen.length > 0 ? chosen : testFiles(testRoot);
const alone = files.filter((file) => MARKER.test(readFileSync(file, "utf8")));
const shared = files.filter((file) => !alone.includes(file));
console.log(
  `==> ${shared.length} test files, ${concurrency} at a time; then ${alone.length} alone: ${alone
    .map((file) => relative(testRoot, file))
    .join(", ")}`,
);
const sharedCode = await runNodeTest(shared, concurrency);
const aloneCode = await runNodeTest(alone, 1);
process.exitCode = sharedCode || aloneCode;

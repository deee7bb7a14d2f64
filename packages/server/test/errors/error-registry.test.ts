import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CALLBACK_ERRORS } from "@onair/callbacks";
import { ERROR_CODES } from "../../src/errors.js";

/**
 * Issue 12: every `ONAIR_ERR_*` code in the sources of every package is registered and
 * documented in docs/errors.md, and every registered code is documented with its HTTP status.
 */
const repo = fileURLToPath(new URL("../../../../../", import.meta.url));
const SCANNED = ["callbacks", "server", "moderation", "dashboard"].map((p) =>
  join(repo, "packages", p, "src"),
);
const CODE = /ONAIR_ERR_[A-Z0-9_]+/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js)$/.test(entry.name) ? [path] : [];
  });
}

/** Each literal with the first file naming it. */
function literalsInSources(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of SCANNED.flatMap(sourceFiles)) {
    for (const [code] of readFileSync(file, "utf8").matchAll(CODE)) {
      if (!found.has(code)) found.set(code, file.slice(repo.length));
    }
  }
  return found;
}

/**
 * @onair/moderation installs on its own (its own lockfile, not a workspace), so its registry is
 * read from its source rather than imported from a build that may not exist.
 */
function moderationCodes(): string[] {
  const text = readFileSync(join(repo, "packages/moderation/src/errors.ts"), "utf8");
  const registry = /MODERATION_ERRORS = \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? "";
  return [...registry.matchAll(/^\s*(ONAIR_ERR_[A-Z0-9_]+):/gm)].map((m) => m[1] as string);
}

/** The status each registry declares for its codes (undefined: no HTTP status). */
function registry(): Map<string, number | undefined> {
  const codes = new Map<string, number | undefined>();
  for (const [code, spec] of Object.entries(ERROR_CODES)) codes.set(code, spec.status);
  for (const [code, spec] of Object.entries(CALLBACK_ERRORS)) codes.set(code, spec.status);
  for (const code of moderationCodes()) codes.set(code, undefined);
  return codes;
}

/** The rows of docs/errors.md's tables, by the code in their first cell. */
function documentedRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(repo, "docs/errors.md"), "utf8").split("\n")) {
    const code = /^\| `(ONAIR_ERR_[A-Z0-9_]+)` +\|/.exec(line)?.[1];
    if (code) rows.set(code, line);
  }
  return rows;
}

/** A literal ending in `_` is a prefix test (`code.startsWith("ONAIR_ERR_AUTH_")`). */
const covered = (literal: string, codes: Iterable<string>) =>
  literal.endsWith("_")
    ? [...codes].some((code) => code.startsWith(literal))
    : [...codes].includes(literal);

describe("error registry", () => {
  const codes = registry();
  const docs = documentedRows();

  test("the registries are read (a broken parse would make the other tests vacuous)", () => {
    assert.ok(Object.keys(ERROR_CODES).length > 20);
    assert.ok(Object.keys(CALLBACK_ERRORS).length >= 12);
    assert.ok(moderationCodes().length >= 4);
    assert.ok(literalsInSources().size > 40);
  });

  test("every ONAIR_ERR_* literal in the sources is a registered code", () => {
    const unregistered = [...literalsInSources()].filter(([code]) => !covered(code, codes.keys()));
    assert.deepEqual(unregistered, [], "register these codes (code, file)");
  });

  test("every ONAIR_ERR_* literal in the sources is documented in docs/errors.md", () => {
    const undocumented = [...literalsInSources()].filter(([code]) => !covered(code, docs.keys()));
    assert.deepEqual(undocumented, [], "add a row to docs/errors.md for (code, file)");
  });

  test("every registered code has a row in docs/errors.md with its HTTP status", () => {
    const problems = [...codes].flatMap(([code, status]) => {
      const row = docs.get(code);
      if (row === undefined) return [`${code}: no row`];
      if (status !== undefined && !row.includes(`| ${status} `)) return [`${code}: not ${status}`];
      return [];
    });
    assert.deepEqual(problems, []);
  });

  test("docs/errors.md documents no code that is not registered", () => {
    assert.deepEqual(
      [...docs.keys()].filter((code) => !codes.has(code)),
      [],
    );
  });
});

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import type { Command } from "commander";
import { z } from "zod";
import { API_ACTIONS } from "../../src/api/actions/index.js";
import { createProgram } from "../../src/cli/main.js";
import { ENV_KEYS } from "../../src/config/load-config.js";
import { configSchema } from "../../src/config/schema.js";
import { REPO_ROOT } from "../helpers/doc-blocks.js";

/**
 * A doc that names something that does not exist fails here: a file or folder of the
 * repository (links and `code` paths), an `onair` command or one of its flags (checked against
 * the CLI's own parser), a config setting (`section.key`, against config/schema.ts) or an
 * ONAIR_* environment variable (one the code reads).
 */

const list = (dir: string) =>
  existsSync(join(REPO_ROOT, dir))
    ? readdirSync(join(REPO_ROOT, dir))
        .filter((f) => f.endsWith(".md"))
        .map((f) => join(dir, f))
    : [];
const DOCS = [
  "README.md",
  "CONTRIBUTING.md",
  ...list("docs"),
  ...["callbacks", "server", "dashboard", "moderation"].map((p) => `packages/${p}/README.md`),
].filter((f) => existsSync(join(REPO_ROOT, f)));
const text = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");

/** Each line with its number, so a failure points at it. */
function* lines(file: string): Generator<[number, string]> {
  let n = 0;
  for (const line of text(file).split("\n")) yield [++n, line];
}

/** Inline `code` spans and whole lines of fenced blocks: where docs name things. */
function* codeSpans(file: string): Generator<[number, string]> {
  let fenced = false;
  for (const [n, line] of lines(file)) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) yield [n, line];
    else for (const m of line.matchAll(/`([^`]+)`/g)) yield [n, m[1] ?? ""];
  }
}

/** Folders a doc's bare source path may be relative to (docs say `app.ts`, `cli/main.ts`). */
const SOURCE_ROOTS = [
  "",
  "packages/server/",
  "packages/server/src/",
  "packages/server/test/",
  "packages/callbacks/",
  "packages/callbacks/src/",
  "packages/dashboard/",
  "packages/moderation/",
];
const PATHLIKE = /^(?:\.\/)?[\w.-]+(?:\/[\w.-]+)*\/?$/;
const EXTENSIONS = /\.(?:ts|tsx|js|cjs|mjs|json|md|sh|css|html|png|sql)$/;
/**
 * Paths that name what OnAir or the build writes at run time, or files of the reader's own app
 * (`app/api/callbacks/route.ts` of a Next.js receiver).
 */
const RUNTIME =
  /^(?:\.\/)?(?:data|DATA_DIR|artifacts|dist|node_modules|body|headers|old-body|talk|credentials|app\/api)\b|\/dist\/|^package(?:-lock)?\.json$|^tsconfig/;

function pathExists(file: string, path: string): boolean {
  const clean = path.replace(/^\.\//, "").replace(/#.*$/, "");
  if (clean === "") return true;
  return [dirname(file), ...SOURCE_ROOTS, "node_modules/"].some((root) =>
    existsSync(join(REPO_ROOT, root, clean)),
  );
}

test("every repository path a doc links to or names in code exists", () => {
  const missing: string[] = [];
  for (const file of DOCS) {
    for (const [n, line] of lines(file)) {
      for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1] ?? "";
        if (/^[a-z]+:/.test(target) || target.startsWith("#")) continue;
        if (!pathExists(file, target)) missing.push(`${file}:${n}: link ${target}`);
      }
    }
    for (const [n, span] of codeSpans(file)) {
      for (const token of span.split(/[\s"'(),;=<>]+/)) {
        const path = token.replace(/[:.]+$/, "");
        if (!PATHLIKE.test(path) || !path.includes("/") || !EXTENSIONS.test(path)) continue;
        if (RUNTIME.test(path) || /[A-Z]{3,}|…/.test(path) || path.startsWith("/")) continue;
        if (!pathExists(file, path)) missing.push(`${file}:${n}: ${path}`);
      }
    }
  }
  assert.deepEqual(missing, [], "named in a doc, not in the repository");
});

/** `onair <cmd> [<sub>]` → the command's known flags, from the CLI's parser. */
function commandTable(): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  const flagsOf = (cmd: Command, inherited: Set<string>) =>
    new Set([
      ...inherited,
      "--help",
      "-h",
      ...cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)),
    ]);
  const program = createProgram();
  const top = flagsOf(program, new Set());
  table.set("", top);
  for (const cmd of program.commands) {
    table.set(cmd.name(), flagsOf(cmd, top));
    for (const sub of cmd.commands) table.set(`${cmd.name()} ${sub.name()}`, flagsOf(sub, top));
  }
  return table;
}

/** Words after "onair" in prose that are not a command ("onair is …", "onair server"). */
const PROSE = /^(?:is|the|a|an|and|or|on|runs?|itself|server|package|command|test)$/;

test("every `onair` command and flag a doc shows exists in the CLI", () => {
  const table = commandTable();
  const problems: string[] = [];
  for (const file of DOCS) {
    for (const [n, span] of codeSpans(file)) {
      for (const m of span.matchAll(/(?:^|[\s"($`])onair( [^|;&)"]*|$)/g)) {
        const invocation = m[1] ?? "";
        const words =
          /^(?: [a-z][\w-]*)*/.exec(invocation)?.[0].trim().split(" ").filter(Boolean) ?? [];
        // The longest known command the words start with (the rest are arguments).
        let command = "";
        for (let i = Math.min(2, words.length); i > 0; i--) {
          const candidate = words.slice(0, i).join(" ");
          if (table.has(candidate)) {
            command = candidate;
            break;
          }
        }
        if (words.length > 0 && command === "" && !PROSE.test(words[0] ?? "")) {
          problems.push(`${file}:${n}: no command "onair ${words[0]}"`);
          continue;
        }
        for (const flag of invocation.matchAll(/(?:^|[\s[|])(--?[a-zA-Z][\w-]*)/g)) {
          const name = flag[1] ?? "";
          if (!table.get(command)?.has(name))
            problems.push(`${file}:${n}: onair ${command} has no ${name}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("every config setting and ONAIR_* variable a doc names exists", () => {
  const sections = new Map<string, Set<string>>();
  for (const [key, value] of Object.entries(configSchema.shape)) {
    // Through the default/optional/prefault wrappers to the section's object.
    let inner = value as unknown as { unwrap?: () => unknown };
    while (!(inner instanceof z.ZodObject) && typeof inner.unwrap === "function")
      inner = inner.unwrap() as { unwrap?: () => unknown };
    if (inner instanceof z.ZodObject) sections.set(key, new Set(Object.keys(inner.shape)));
  }
  assert.ok(sections.has("ingest") && sections.get("files")?.has("public"));
  const readByCode = new Set(Object.keys(ENV_KEYS));
  const sources = [
    "packages/server/src",
    "packages/callbacks/src",
    "packages/server/test/helpers",
    "scripts",
  ];
  const walk = (dir: string): string[] =>
    readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  for (const file of sources.flatMap(walk)) {
    for (const m of text(file).matchAll(/ONAIR_[A-Z0-9_]+/g)) readByCode.add(m[0]);
  }
  const problems: string[] = [];
  for (const file of DOCS) {
    for (const [n, span] of codeSpans(file)) {
      for (const m of span.matchAll(/(?<![\w.])([a-z][a-zA-Z]+)\.([a-z][a-zA-Z]+)(?![\w.(/])/g)) {
        const [, section = "", key = ""] = m;
        const keys = sections.get(section);
        if (/^(?:ts|tsx|js|mjs|cjs|sh|md|json|css)$/.test(key)) continue;
        if (keys && !keys.has(key))
          problems.push(`${file}:${n}: no config setting ${section}.${key}`);
      }
      for (const m of span.matchAll(/\bONAIR_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        if (!readByCode.has(m[0]) && !m[0].startsWith("ONAIR_ERR_"))
          problems.push(`${file}:${n}: ${m[0]} is read nowhere`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("the API reference has a row for every action the API serves, and no row for one it does not", () => {
  const reference = "docs/api.md";
  const documented = new Map<string, number>();
  for (const [n, line] of lines(reference)) {
    // A table row, or a paragraph that opens with the action (the delivery log's).
    const name = /^(?:\| )?`([A-Z][A-Za-z]+)`(?: +\||:)/.exec(line)?.[1];
    // Action names are verbs in Tencent's style; the tables of fields and error codes are not.
    if (
      name &&
      /^(?:Describe|Create|Modify|Delete|Add|Drop|Forbid|Resume|Enable|Stop|Send|Redeliver|Restart)[A-Z]/.test(
        name,
      )
    )
      documented.set(name, n);
  }
  const served = [...API_ACTIONS.keys()];
  assert.deepEqual(
    served.filter((name) => !documented.has(name)),
    [],
    `actions without a row in ${reference}`,
  );
  assert.deepEqual(
    [...documented]
      .filter(([name]) => !API_ACTIONS.has(name))
      .map(([name, n]) => `${reference}:${n}: ${name}`),
    [],
    "rows for actions the API does not serve",
  );
});

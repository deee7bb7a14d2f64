import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

/** The repository root (this file runs from packages/server/dist/test/helpers). */
export const REPO_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));

/** One fenced code block of a Markdown file. */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word (`sh`, `ts`, `json`, "" for none). */
  lang: string;
  /** Marked ```` ```sh illustrative ````: shown, not run (CONTRIBUTING.md, "Docs"). */
  illustrative: boolean;
  code: string;
}

/** The fenced blocks of `file` (a path under the repository root), in order. */
export function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(join(REPO_ROOT, file), "utf8").split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "", info = ""] = open;
    const words = info.trim().split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] ?? "").trim().startsWith(fence); j++) {
      body.push((lines[j] ?? "").slice(indent.length));
    }
    blocks.push({
      file,
      line: i + 1,
      lang: words[0] ?? "",
      illustrative: words.includes("illustrative"),
      code: body.join("\n"),
    });
    i = j;
  }
  return blocks;
}

/** Runnable shell and TypeScript blocks: what the doc test runs and what it checks are marked. */
export const RUNNABLE_LANGS = new Set(["sh", "bash", "ts", "typescript"]);

/** The addresses the docs use, to rewrite into the ports a test bound. */
export interface DocAddresses {
  /** `host:port` of OnAir's HTTP server (the docs say 127.0.0.1:8080). */
  http: string;
  /** Port of OnAir's RTMP server (the docs say the default, 1935, by leaving it out). */
  rtmpPort: number;
  /** The receiver's URL (the docs say http://127.0.0.1:3000/callbacks). */
  receiverUrl: string;
}

/** The block with the test's ports in place of the documented defaults; nothing else changes. */
export function withTestAddresses(code: string, at: DocAddresses): string {
  return code
    .replaceAll("http://127.0.0.1:3000/callbacks", at.receiverUrl)
    .replaceAll("127.0.0.1:8080", at.http)
    .replaceAll("rtmp://127.0.0.1/", `rtmp://127.0.0.1:${at.rtmpPort}/`);
}

/** The names a block declares at its top level (`const x`, `const { a, b }`). */
function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/^(?:const|let|var)\s+(\{[^}]*\}|[\w$]+)/gm)) {
    const target = m[1] ?? "";
    for (const name of target.replace(/[{}]/g, "").split(",")) {
      const local = name.split(":").pop()?.trim();
      if (local) names.add(local);
    }
  }
  return names;
}

let moduleCount = 0;

/** The local names an `import` line binds: `import x, { a, b as c } from "…"` → x, a, c. */
function importedNames(line: string): string[] {
  const clause = /^import\s+(?:type\s+)?(.*?)\s+from\s/.exec(line)?.[1] ?? "";
  const names: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause)?.[1];
  for (const part of braces?.split(",") ?? []) {
    const name = part
      .trim()
      .split(/\s+as\s+/)
      .pop()
      ?.replace(/^type\s+/, "");
    if (name) names.push(name);
  }
  const outside = clause.replace(/\{[^}]*\}/, "").replace(/\*\s+as\s+/, "");
  for (const name of outside.split(",").map((n) => n.trim())) if (name) names.push(name);
  return names;
}

/**
 * Runs a TypeScript block as a module, as a reader pasting it after the README's setup would:
 * its imports stay, its other lines become the body of an async function given the names of
 * `scope` it uses without declaring them itself (`live`, `secretId`, `secretKey`). Returns what
 * the block declared, so a following block of the same page can use it.
 */
export async function runTsBlock(
  block: DocBlock,
  code: string,
  scope: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const lines = code.split("\n");
  const imports = lines.filter((l) => l.startsWith("import "));
  const body = lines.filter((l) => !l.startsWith("import ")).join("\n");
  const declared = declaredNames(body);
  // A name the block imports is the import's, not the scope's (docs/api.md imports `live`).
  const imported = new Set(imports.flatMap(importedNames));
  const given = Object.keys(scope).filter((name) => !declared.has(name) && !imported.has(name));
  const source = [
    ...imports,
    `export default async function ({ ${given.join(", ")} }) {`,
    body,
    `return { ${[...declared].join(", ")} };`,
    "}",
  ].join("\n");
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    fileName: `${block.file}:${block.line}.ts`,
  }).outputText;
  // Under packages/server, so the block's imports resolve as they do for a reader in the clone.
  const dir = fileURLToPath(new URL("../../doc-blocks/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${process.pid}-${++moduleCount}.mjs`);
  writeFileSync(path, `// ${block.file} line ${block.line}\n${js}`);
  try {
    const mod = (await import(pathToFileURL(path).href)) as {
      default: (scope: Record<string, unknown>) => Promise<Record<string, unknown>>;
    };
    return await mod.default(scope);
  } finally {
    rmSync(path, { force: true });
  }
}

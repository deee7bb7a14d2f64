import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * The layering rule (the repo's .dependency-cruiser.cjs, run as `npm run lint:layers` does) over
 * tiny trees shaped like packages/server/src, written to a temporary folder: it must fail on an
 * import that runs up a layer and pass on one that runs down. docs/architecture.md describes it.
 */

// From dist/test/lint/ up to the repository root.
const root = fileURLToPath(new URL("../../../../../", import.meta.url));
const depcruise = join(root, "node_modules", ".bin", "depcruise");
const config = join(root, ".dependency-cruiser.cjs");

const folders: string[] = [];
after(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

/** Writes `files` (path → source) under a fresh folder and cruises its packages/. */
async function cruise(
  files: Record<string, string>,
): Promise<{ exitCode: number; output: string }> {
  const folder = await mkdtemp(join(tmpdir(), "onair-layering-"));
  folders.push(folder);
  for (const [path, source] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), source);
  }
  return new Promise((resolve) => {
    execFile(
      depcruise,
      ["packages", "--config", config, "--output-type", "err-long"],
      { cwd: folder, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ exitCode, output: stdout + stderr });
      },
    );
  });
}

const STORE = {
  "packages/server/src/store/store.ts": "export interface Store { close(): Promise<void>; }\n",
};

describe("the layering lint rule", () => {
  test("fails on domain/ importing store/ (an import that runs up a layer)", async () => {
    const { exitCode, output } = await cruise({
      "packages/server/src/domain/decide.ts":
        'import { kind } from "../store/store.js";\nexport const decide = () => kind;\n',
      "packages/server/src/store/store.ts": "export const kind = 'sql';\n",
    });
    assert.notEqual(exitCode, 0, output);
    assert.match(
      output,
      /error layer-1-domain: packages\/server\/src\/domain\/decide\.ts → packages\/server\/src\/store\/store\.ts/,
    );
    assert.match(output, /domain\/ is row 1 .* it may import only itself/s);
  });

  test("fails on a type-only import that runs up a layer", async () => {
    const { exitCode, output } = await cruise({
      ...STORE,
      "packages/server/src/observability/metrics.ts":
        'import type { Store } from "../store/store.js";\nexport type Source = Store;\n',
    });
    assert.notEqual(exitCode, 0, output);
    assert.match(
      output,
      /error layer-3-observability: packages\/server\/src\/observability\/metrics\.ts → packages\/server\/src\/store\/store\.ts/,
    );
  });

  test("fails on a same-row import between subscribers", async () => {
    const { exitCode, output } = await cruise({
      "packages/server/src/recording/flv.ts": "export const flv = 1;\n",
      "packages/server/src/snapshots/gop.ts": 'export { flv } from "../recording/flv.js";\n',
    });
    assert.notEqual(exitCode, 0, output);
    assert.match(output, /error layer-8-snapshots: packages\/server\/src\/snapshots\/gop\.ts/);
  });

  test("fails on a folder that is in no row, and on an import cycle", async () => {
    const { exitCode, output } = await cruise({
      "packages/server/src/domain/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
      "packages/server/src/domain/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
      "packages/server/src/misc/util.ts": 'export { a } from "../domain/a.js";\n',
    });
    assert.notEqual(exitCode, 0, output);
    assert.match(output, /error layer-unknown: packages\/server\/src\/misc\/util\.ts/);
    assert.match(output, /error no-circular-server: packages\/server\/src\/domain\/a\.ts/);
  });

  test("fails on the SDK importing the server, the dashboard importing server code and src/ importing test/", async () => {
    const { exitCode, output } = await cruise({
      "packages/server/src/domain/ids.ts": "export const id = 1;\n",
      "packages/callbacks/src/index.ts": 'export { id } from "../../server/src/domain/ids.js";\n',
      "packages/server/test/helper.ts": "export const helper = 1;\n",
      "packages/server/src/config/load.ts": 'export { helper } from "../../test/helper.js";\n',
      "packages/dashboard/src/api.ts": 'export { id } from "../../server/src/domain/ids.js";\n',
    });
    assert.notEqual(exitCode, 0, output);
    assert.match(output, /error packages-not-server: packages\/callbacks\/src\/index\.ts/);
    assert.match(output, /error src-not-test-or-bench: packages\/server\/src\/config\/load\.ts/);
    assert.match(output, /error dashboard-server-types-only: packages\/dashboard\/src\/api\.ts/);
  });

  test("passes on imports that run down the layers", async () => {
    const { exitCode, output } = await cruise({
      ...STORE,
      "packages/server/src/domain/ids.ts": "export const id = 1;\n",
      "packages/server/src/config/schema.ts": 'export { id } from "../domain/ids.js";\n',
      "packages/server/src/streams/service.ts":
        'import type { Store } from "../store/store.js";\nimport { id } from "../domain/ids.js";\n' +
        "export const open = (store: Store) => [store, id];\n",
      "packages/server/src/app.ts": 'export { open } from "./streams/service.js";\n',
      "packages/server/src/cli/main.ts": 'export { open } from "../app.js";\n',
      "packages/dashboard/src/types.ts":
        'import type { Store } from "../../server/src/store/store.js";\nexport type S = Store;\n',
    });
    assert.equal(exitCode, 0, output);
    assert.match(output, /no dependency violations found/);
  });
});

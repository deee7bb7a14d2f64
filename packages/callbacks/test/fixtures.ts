import { readFileSync } from "node:fs";

/** A published callback sample and where it was published. */
export interface Sample {
  source: string;
  body: Record<string, unknown>;
}

// Compiled tests live in dist/test/…; the fixtures stay in test/fixtures/.
const file = new URL("../../test/fixtures/samples.json", import.meta.url);

/** Every published sample: Tencent's pages and real bodies, by name (see fixtures/README.md). */
export const samples: Readonly<Record<string, Sample>> = JSON.parse(readFileSync(file, "utf8"));

export function sample(name: string): Record<string, unknown> {
  const found = samples[name];
  if (!found) throw new Error(`no sample named ${name}`);
  return structuredClone(found.body);
}

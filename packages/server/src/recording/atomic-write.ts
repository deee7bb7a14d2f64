import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `path` so that it is either absent, its old content, or all of `text` — never empty or
 * cut short (a full disk left empty `.flv.json` sidecars that broke every restart): the text goes
 * to `<path>.tmp`, is fsynced, renamed over `path`, and the directory fsynced so the rename
 * survives a power loss. On failure the temp file is removed and the error thrown.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  try {
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  const dir = await open(dirname(path), "r").catch(() => null);
  await dir
    ?.sync()
    .catch(() => undefined)
    .finally(() => dir.close());
}

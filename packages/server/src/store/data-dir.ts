import { chmod, lstat, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";

/** Modes of what OnAir keeps in its data directory: readable by its own user only. */
const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes the data directory owner-only: creates it 0700 and tightens what an earlier version left
 * group- or world-readable (the SQLite database and its -wal/-shm, which hold CallbackKeys and
 * push keys; credentials.json; recordings and screenshots under files/) to 0700/0600, logging
 * once how many it changed. Symbolic links are left alone (chmod would follow them out of the
 * directory). New files stay owner-only through the CLI's umask (077) and the SQLite driver's
 * explicit mode.
 *
 * @example
 * await secureDataDir({ dataDir: "./data", logger });
 */
export async function secureDataDir(options: { dataDir: string; logger: Logger }): Promise<void> {
  const { dataDir, logger } = options;
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await mkdir(join(dataDir, "files"), { recursive: true, mode: PRIVATE_DIR_MODE });
  const tightened: string[] = [];
  const tighten = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => null);
    if (info === null || info.isSymbolicLink()) return;
    const wanted = info.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((info.mode & 0o077) !== 0 && (info.isDirectory() || info.isFile())) {
      await chmod(path, (info.mode & 0o700) | (wanted & 0o700));
      tightened.push(path);
    }
    if (info.isDirectory()) {
      for (const name of await readdir(path).catch(() => [] as string[])) {
        await tighten(join(path, name));
      }
    }
  };
  await tighten(dataDir);
  if (tightened.length > 0) {
    logger.warn(
      { dataDir, count: tightened.length, examples: tightened.slice(0, 5) },
      "tightened permissions of existing data files to owner-only (0600 files, 0700 directories)",
    );
  }
}

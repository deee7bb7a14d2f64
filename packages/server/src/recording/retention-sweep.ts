import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { StreamConsumerDeps } from "../events/stream-consumer-deps.js";
import { parsePlaylist, segmentPath } from "./hls-playlist.js";

const BATCH = 100;

/**
 * Deletes recordings whose StorageTime ran out, every `recording.sweepIntervalMs`; an HLS
 * playlist takes its segments with it. A sweep still running when the next is due is not doubled.
 */
export function createRetentionSweep(
  deps: Pick<StreamConsumerDeps, "store" | "config" | "clock" | "logger" | "filesDir">,
) {
  let timer: NodeJS.Timeout | undefined;

  async function sweep(): Promise<number> {
    let removed = 0;
    for (;;) {
      const expired = await deps.store.recording.takeExpiredFiles(deps.clock.now(), BATCH);
      for (const file of expired) {
        const path = join(deps.filesDir, file.path);
        if (file.format === "hls") {
          const playlist = parsePlaylist(await readFile(path, "utf8").catch(() => ""));
          for (const segment of playlist.segments)
            await rm(segmentPath(path, segment), { force: true });
        }
        await rm(path, { force: true });
        removed++;
      }
      if (expired.length < BATCH) return removed;
    }
  }

  return {
    start(): void {
      let running = false;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        sweep()
          .then((removed) => {
            if (removed) deps.logger.info({ removed }, "recordings past their StorageTime deleted");
          })
          .catch((err: unknown) => deps.logger.error({ err }, "retention sweep failed"))
          .finally(() => {
            running = false;
          });
      }, deps.config.recording.sweepIntervalMs);
      timer.unref();
    },

    stop(): void {
      if (timer) clearInterval(timer);
    },
  };
}

import type { Clock } from "../domain/clock.js";
import { isStorageFull } from "../errors.js";

export interface StorageFullTracker {
  /** Remembers `error` when it says the storage is full. */
  note(error: unknown): void;
  /** A write committed: the storage is not full (any more). */
  clear(): void;
  last(): { at: Date; message: string } | null;
}

/** The `Store.lastStorageFull` bookkeeping both drivers share. */
export function createStorageFullTracker(clock: Clock): StorageFullTracker {
  let last: { at: Date; message: string } | null = null;
  return {
    note(error) {
      if (isStorageFull(error))
        last = { at: clock.now(), message: error instanceof Error ? error.message : "full" };
    },
    clear() {
      last = null;
    },
    last: () => last,
  };
}

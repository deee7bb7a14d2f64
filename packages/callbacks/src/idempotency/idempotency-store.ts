/** Where an event key stands: never seen, being handled right now, or handled. */
export type IdempotencyState = "new" | "in-progress" | "done";

/**
 * Remembers which events were handled. `begin` atomically claims a key; the claim is turned into
 * "done" by `complete` after the handler succeeded, or dropped by `release` when it failed, so the
 * sender's retry is handled again: a failure never loses an event.
 */
export interface IdempotencyStore {
  /** Claims `key` for `ttlMs` if nobody holds it; tells what it found otherwise. */
  begin(key: string, ttlMs: number): Promise<IdempotencyState>;
  /** Marks `key` handled for `ttlMs`. */
  complete(key: string, ttlMs: number): Promise<void>;
  /** Drops the claim on `key`. */
  release(key: string): Promise<void>;
}

interface Entry {
  state: "in-progress" | "done";
  expiresAt: number;
}

/**
 * In-memory LRU store, the default: bounded (oldest entries evicted first) and per-process. Use
 * the Redis store when several processes receive the same callbacks.
 *
 * @example
 * const store = new MemoryIdempotencyStore({ maxEntries: 50_000 });
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async begin(key: string, ttlMs: number): Promise<IdempotencyState> {
    const entry = this.#live(key);
    if (entry) return entry.state;
    this.#set(key, { state: "in-progress", expiresAt: this.#now() + ttlMs });
    return "new";
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    this.#set(key, { state: "done", expiresAt: this.#now() + ttlMs });
  }

  async release(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Number of entries held (expired ones included until touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Refresh recency: Map iteration order is insertion order, so re-insert.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  #set(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}

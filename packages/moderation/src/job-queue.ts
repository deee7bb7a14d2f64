/**
 * A bounded FIFO that makes room by evicting its oldest entry. Live screenshots go stale fast,
 * so when the classifier falls behind the newest frame is worth more than the oldest.
 */
export class DropOldestQueue<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get length(): number {
    return this.#items.length;
  }

  /** Adds `item`; returns the entry evicted to make room, if any. */
  push(item: T): T | undefined {
    const evicted = this.#items.length >= this.#capacity ? this.#items.shift() : undefined;
    this.#items.push(item);
    return evicted;
  }

  shift(): T | undefined {
    return this.#items.shift();
  }

  /** Removes and returns every entry, oldest first. */
  drain(): T[] {
    return this.#items.splice(0);
  }
}

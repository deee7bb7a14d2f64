import type { IdempotencyState, IdempotencyStore } from "./idempotency-store.js";

/** The few Redis commands the store needs, as ioredis (and compatible clients) provide them. */
export interface RedisLikeClient {
  set(key: string, value: string, px: "PX", ttlMs: number, nx: "NX"): Promise<"OK" | null>;
  set(key: string, value: string, px: "PX", ttlMs: number): Promise<"OK" | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

/**
 * Idempotency store on Redis, shared by every process that receives callbacks. `begin` is one
 * `SET key pending PX ttl NX`, so two processes racing on the same event cannot both win.
 *
 * @example
 * import Redis from "ioredis";
 * import { RedisIdempotencyStore } from "@onair/callbacks/redis";
 * const store = new RedisIdempotencyStore({ client: new Redis(), prefix: "myapp:cb:" });
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #client: RedisLikeClient;
  readonly #prefix: string;

  constructor(options: { client: RedisLikeClient; prefix?: string }) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? "onair:idem:";
  }

  async begin(key: string, ttlMs: number): Promise<IdempotencyState> {
    const k = this.#prefix + key;
    if ((await this.#client.set(k, "pending", "PX", Math.max(1, ttlMs), "NX")) === "OK")
      return "new";
    // Between SET NX and GET the claim may have expired: then it is free again, try once more.
    const value = await this.#client.get(k);
    if (value === "done") return "done";
    if (value === null) return this.begin(key, ttlMs);
    return "in-progress";
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    await this.#client.set(this.#prefix + key, "done", "PX", Math.max(1, ttlMs));
  }

  async release(key: string): Promise<void> {
    await this.#client.del(this.#prefix + key);
  }
}

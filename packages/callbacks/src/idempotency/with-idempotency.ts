import type { CallbackHandler } from "../adapters/handle-callback.js";
import { CALLBACK_ERRORS, OnAirBaseError } from "../errors.js";
import { idempotencyKey } from "./idempotency-key.js";
import { type IdempotencyStore, MemoryIdempotencyStore } from "./idempotency-store.js";

/**
 * Thrown when the same event is being handled right now by another request (a retry that overtook
 * a slow handler). Adapters answer it with a non-200 (500 by default), so the sender tries again
 * later instead of the event being handled twice at once.
 */
export class DuplicateInProgressError extends OnAirBaseError<"ONAIR_ERR_CALLBACK_DUPLICATE_IN_PROGRESS"> {
  override readonly name = "DuplicateInProgressError";
  constructor(readonly key: string) {
    super("ONAIR_ERR_CALLBACK_DUPLICATE_IN_PROGRESS", `event ${key} is already being handled`, {
      status: CALLBACK_ERRORS.ONAIR_ERR_CALLBACK_DUPLICATE_IN_PROGRESS.status,
    });
  }
}

/** Options of `withIdempotency`. */
export interface IdempotencyOptions {
  /** Default: a new in-memory LRU store. */
  store?: IdempotencyStore;
  /** How long a claim lasts if the process dies mid-handler (default 60 s). */
  inProgressTtlMs?: number;
  /** How long a handled event is remembered (default 24 h, beyond Tencent's 12-minute retries). */
  doneTtlMs?: number;
}

/**
 * Wraps a handler so each event is handled once: a duplicate of a handled event is acknowledged
 * without calling the handler; a failed handler releases its claim so the retry runs it again.
 *
 * @example
 * createExpressHandler({ key, onEvent: withIdempotency(async (event) => save(event), { store }) });
 */
export function withIdempotency(
  handler: CallbackHandler,
  options: IdempotencyOptions = {},
): (...args: Parameters<CallbackHandler>) => Promise<void> {
  const store = options.store ?? new MemoryIdempotencyStore();
  const inProgressTtlMs = options.inProgressTtlMs ?? 60_000;
  const doneTtlMs = options.doneTtlMs ?? 24 * 3600_000;
  return async (event, context) => {
    const key = idempotencyKey(event, context.headers);
    const state = await store.begin(key, inProgressTtlMs);
    if (state === "done") return;
    if (state === "in-progress") throw new DuplicateInProgressError(key);
    try {
      await handler(event, context);
    } catch (err) {
      await store.release(key);
      throw err;
    }
    await store.complete(key, doneTtlMs);
  };
}

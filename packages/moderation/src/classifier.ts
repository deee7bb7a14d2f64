import { Worker } from "node:worker_threads";
import { ModerationError } from "./errors.js";
import { DropOldestQueue } from "./job-queue.js";
import { MODEL_NAMES, type ModelName, type Scores } from "./scores.js";
import type { ClassifyRequest, WorkerConfig, WorkerMessage } from "./worker-protocol.js";

export interface ClassifierOptions {
  /** Default `MobileNetV2` (3.5 MB, ~60 ms per image here). */
  model?: ModelName;
  /** Jobs waiting behind the one being classified. Default 8. */
  queueSize?: number;
  /** Receives console output of tf.js/nsfwjs (banners, warnings) instead of stdout. */
  onDebug?: (message: string) => void;
  /** Called after every successful classification, for metrics. */
  onTiming?: (timing: ClassifyTiming) => void;
}

/** Timings of one classification, for metrics. */
export interface ClassifyTiming {
  decodeMs: number;
  classifyMs: number;
}

export interface Classifier {
  /**
   * Scores one JPEG. Resolves `null` when the job was evicted from a full queue (see `dropped`)
   * or the classifier closed first; rejects with `ModerationError` for an undecodable image.
   */
  classify(jpeg: Uint8Array): Promise<Scores | null>;
  /** Jobs evicted from the full queue so far. */
  readonly dropped: number;
  /** Resolves with the model load time once the worker is ready; rejects if it cannot load. */
  readonly ready: Promise<{ loadMs: number }>;
  /** Stops the worker; pending jobs resolve `null`. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  jpeg: Uint8Array;
  resolve: (scores: Scores | null) => void;
  reject: (err: ModerationError) => void;
}

export const DEFAULT_QUEUE_SIZE = 8;

/**
 * Starts a worker thread that loads the nsfwjs model once and classifies JPEGs in order. Once
 * the model is loaded the worker is unref'd whenever it is idle, so an idle classifier does not
 * keep the process alive.
 *
 * @example
 * const classifier = createClassifier({ queueSize: 8 });
 * const scores = await classifier.classify(jpegBuffer);
 * if (scores) notify(mapToTencent(scores));
 * await classifier.close();
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const model = options.model ?? "MobileNetV2";
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  if (!MODEL_NAMES.includes(model)) {
    throw new ModerationError("ONAIR_ERR_MODERATION_BAD_OPTION", `unknown model ${String(model)}`);
  }
  if (!Number.isInteger(queueSize) || queueSize < 1) {
    throw new ModerationError(
      "ONAIR_ERR_MODERATION_BAD_OPTION",
      "queueSize must be an integer ≥ 1",
    );
  }

  const workerData: WorkerConfig = { model };
  const worker = new Worker(new URL("./classify-worker.js", import.meta.url), { workerData });

  const pending = new DropOldestQueue<Job>(queueSize);
  let inFlight: Job | undefined;
  let nextId = 1;
  let isReady = false;
  let failure: ModerationError | undefined;
  let closed = false;
  let dropped = 0;

  let settleReady!: { resolve: (v: { loadMs: number }) => void; reject: (e: unknown) => void };
  const ready = new Promise<{ loadMs: number }>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  // Callers that never await `ready` still see the failure through `classify`.
  ready.catch(() => {});

  const classifier: Classifier = {
    get dropped() {
      return dropped;
    },
    ready,
    classify,
    close,
  };

  function dispatch(): void {
    if (!isReady || inFlight || failure || closed) return;
    const job = pending.shift();
    if (!job) {
      worker.unref();
      return;
    }
    inFlight = job;
    worker.ref();
    // Copy into a fresh ArrayBuffer (`new Uint8Array(view)` copies; `Buffer#slice` would not):
    // a Buffer may be a view of Node's shared pool, which must not be transferred.
    const bytes = new Uint8Array(job.jpeg);
    const request: ClassifyRequest = { type: "classify", id: job.id, jpeg: bytes.buffer };
    worker.postMessage(request, [bytes.buffer]);
  }

  function fail(error: ModerationError): void {
    if (failure || closed) return;
    failure = error;
    settleReady.reject(error);
    if (inFlight) inFlight.reject(error);
    inFlight = undefined;
    for (const job of pending.drain()) job.reject(error);
  }

  worker.on("message", (message: WorkerMessage) => {
    switch (message.type) {
      case "ready":
        isReady = true;
        settleReady.resolve({ loadMs: message.loadMs });
        dispatch();
        return;
      case "result":
      case "error": {
        const job = inFlight;
        if (!job || job.id !== message.id) return;
        inFlight = undefined;
        if (message.type === "result") {
          job.resolve(message.scores);
          options.onTiming?.({ decodeMs: message.decodeMs, classifyMs: message.classifyMs });
        } else {
          job.reject(new ModerationError("ONAIR_ERR_MODERATION_BAD_IMAGE", message.message));
        }
        dispatch();
        return;
      }
      case "fatal":
        fail(new ModerationError("ONAIR_ERR_MODERATION_WORKER_FAILED", message.message));
        void worker.terminate();
        return;
      case "debug":
        options.onDebug?.(message.message);
        return;
    }
  });
  worker.on("error", (err) => {
    fail(new ModerationError("ONAIR_ERR_MODERATION_WORKER_FAILED", err.message, { cause: err }));
  });
  worker.on("exit", (code) => {
    fail(new ModerationError("ONAIR_ERR_MODERATION_WORKER_FAILED", `worker exited (${code})`));
  });

  function classify(jpeg: Uint8Array): Promise<Scores | null> {
    if (closed) return Promise.reject(new ModerationError("ONAIR_ERR_MODERATION_CLOSED"));
    if (failure) return Promise.reject(failure);
    return new Promise<Scores | null>((resolve, reject) => {
      const evicted = pending.push({ id: nextId++, jpeg, resolve, reject });
      if (evicted) {
        dropped++;
        evicted.resolve(null);
      }
      // Keep the process alive while a job waits, even if the model is still loading.
      worker.ref();
      dispatch();
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (!isReady && !failure)
      settleReady.reject(new ModerationError("ONAIR_ERR_MODERATION_CLOSED"));
    inFlight?.resolve(null);
    inFlight = undefined;
    for (const job of pending.drain()) job.resolve(null);
    await worker.terminate();
  }

  return classifier;
}

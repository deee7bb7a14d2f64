import type { ModelName, Scores } from "./scores.js";

/** `workerData` of the classify worker. */
export interface WorkerConfig {
  model: ModelName;
}

/** Main thread → worker. The JPEG bytes are transferred, not copied. */
export interface ClassifyRequest {
  type: "classify";
  id: number;
  jpeg: ArrayBuffer;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: "ready"; loadMs: number }
  | { type: "result"; id: number; scores: Scores; decodeMs: number; classifyMs: number }
  /** One job failed (bad image); the worker carries on. */
  | { type: "error"; id: number; message: string }
  /** The model could not load; the worker is useless. */
  | { type: "fatal"; message: string }
  /** A console line from tfjs or nsfwjs, kept off stdout. */
  | { type: "debug"; message: string };

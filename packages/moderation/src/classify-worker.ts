/**
 * Worker-thread entry: loads one nsfwjs model on tf.js's wasm backend and classifies JPEGs one
 * at a time. tf.js inference is synchronous CPU work (~60 ms for MobileNetV2), so it must not
 * run on the server's event loop. Everything is local: the wasm binaries come from the installed
 * @tensorflow/tfjs-backend-wasm and the weights are bundled in nsfwjs.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { format } from "node:util";
import { parentPort, workerData } from "node:worker_threads";
import { decodeJpeg } from "./decode-jpeg.js";
import { scoresFromPredictions } from "./scores.js";
import type { ClassifyRequest, WorkerConfig, WorkerMessage } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("classify-worker must run in a worker thread");
const post = (message: WorkerMessage) => port.postMessage(message);

// tf.js prints a "use tfjs-node" banner and nsfwjs a "You're using the model" line. A worker's
// console writes to the parent's stdout, so reroute it before either library is imported.
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  console[method] = (...args: unknown[]) => post({ type: "debug", message: format(...args) });
}

const { model: modelName } = workerData as WorkerConfig;

try {
  const started = performance.now();
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const nsfwjs = await import("nsfwjs");
  // The trailing slash matters: tf.js appends the .wasm file names to this prefix.
  const wasmPackage = createRequire(import.meta.url).resolve(
    "@tensorflow/tfjs-backend-wasm/package.json",
  );
  wasm.setWasmPaths(`${join(dirname(wasmPackage), "dist")}/`);
  if (!(await tf.setBackend("wasm"))) throw new Error("tf.js wasm backend did not initialise");
  await tf.ready();
  const model = await nsfwjs.load(modelName);
  post({ type: "ready", loadMs: performance.now() - started });

  port.on("message", async (request: ClassifyRequest) => {
    const t0 = performance.now();
    let image: ReturnType<typeof decodeJpeg>;
    try {
      image = decodeJpeg(new Uint8Array(request.jpeg));
    } catch (err) {
      post({ type: "error", id: request.id, message: String(err) });
      return;
    }
    const t1 = performance.now();
    const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
    try {
      const predictions = await model.classify(tensor, 5);
      post({
        type: "result",
        id: request.id,
        scores: scoresFromPredictions(predictions),
        decodeMs: t1 - t0,
        classifyMs: performance.now() - t1,
      });
    } catch (err) {
      post({ type: "error", id: request.id, message: String(err) });
    } finally {
      tensor.dispose();
    }
  });
} catch (err) {
  post({ type: "fatal", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}

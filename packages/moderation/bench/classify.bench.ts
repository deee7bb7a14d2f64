/**
 * Measures what the README reports: model load, first and steady classification, JPEG decode
 * and process RSS, per model. Usage: `npm run bench [-- MobileNetV2 InceptionV3]`.
 */
import { performance } from "node:perf_hooks";
import {
  type ClassifyTiming,
  createClassifier,
  MODEL_NAMES,
  type ModelName,
} from "../src/index.js";
import { testPatternJpeg } from "../test/fixtures.js";

const ROUNDS = 20;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const ms = (value: number) => `${value.toFixed(0)} ms`;

const requested = process.argv.slice(2);
const models = requested.length > 0 ? (requested as ModelName[]) : [...MODEL_NAMES];

for (const size of ["640x360", "1920x1080"]) {
  const jpeg = await testPatternJpeg(size);
  for (const model of models) {
    const timings: ClassifyTiming[] = [];
    const started = performance.now();
    const classifier = createClassifier({ model, onTiming: (t) => timings.push(t) });
    const { loadMs } = await classifier.ready;
    const readyMs = performance.now() - started;
    for (let i = 0; i <= ROUNDS; i++) await classifier.classify(jpeg);
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    await classifier.close();
    const [first, ...steady] = timings;
    process.stdout.write(
      `${size} ${model}: load ${ms(loadMs)} (ready after ${ms(readyMs)}), ` +
        `first classify ${ms(first?.classifyMs ?? 0)}, ` +
        `median classify ${ms(median(steady.map((t) => t.classifyMs)))}, ` +
        `median decode ${ms(median(steady.map((t) => t.decodeMs)))}, RSS ${rssMb.toFixed(0)} MB\n`,
    );
  }
}

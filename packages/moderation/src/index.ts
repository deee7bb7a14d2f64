export {
  type Classifier,
  type ClassifierOptions,
  type ClassifyTiming,
  createClassifier,
  DEFAULT_QUEUE_SIZE,
} from "./classifier.js";
export { MODERATION_ERRORS, ModerationError, type ModerationErrorCode } from "./errors.js";
export { MODEL_NAMES, type ModelName, type Scores } from "./scores.js";
export {
  DEFAULT_THRESHOLDS,
  mapToTencent,
  type TencentLabel,
  type TencentLabelResult,
  type TencentSuggestion,
  type TencentVerdict,
  type Thresholds,
} from "./tencent-mapping.js";

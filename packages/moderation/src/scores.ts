/** The five nsfwjs classes, as probabilities 0–1 that sum to about 1. */
export interface Scores {
  Drawing: number;
  Hentai: number;
  Neutral: number;
  Porn: number;
  Sexy: number;
}

/** Models bundled in the nsfwjs npm tarball (no download needed). */
export type ModelName = "MobileNetV2" | "MobileNetV2Mid" | "InceptionV3";

export const MODEL_NAMES: readonly ModelName[] = ["MobileNetV2", "MobileNetV2Mid", "InceptionV3"];

export const SCORE_CLASSES: readonly (keyof Scores)[] = [
  "Drawing",
  "Hentai",
  "Neutral",
  "Porn",
  "Sexy",
];

/** Builds `Scores` from nsfwjs predictions; a class nsfwjs left out counts as 0. */
export function scoresFromPredictions(
  predictions: readonly { className: string; probability: number }[],
): Scores {
  const scores: Scores = { Drawing: 0, Hentai: 0, Neutral: 0, Porn: 0, Sexy: 0 };
  for (const { className, probability } of predictions) {
    if ((SCORE_CLASSES as readonly string[]).includes(className)) {
      scores[className as keyof Scores] = probability;
    }
  }
  return scores;
}

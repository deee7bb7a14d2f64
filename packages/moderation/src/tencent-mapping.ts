import { ModerationError } from "./errors.js";
import type { Scores } from "./scores.js";

/** Scores 0–100 at or above which a screenshot is blocked (porn) or sent to review (sexy). */
export interface Thresholds {
  porn: number;
  sexy: number;
}

/**
 * Defaults. nsfwjs's `Sexy` class fires on swimwear and close-ups, so review needs more
 * confidence than block. testsrc frames score Porn+Hentai and Sexy well under 1.
 */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({ porn: 70, sexy: 85 });

export type TencentLabel = "Porn" | "Sexy" | "Normal";
export type TencentSuggestion = "Block" | "Review" | "Pass";

/** One entry of Tencent's `labelResults` (the shape `ModerationFacts` in @onair/callbacks takes). */
export interface TencentLabelResult {
  Scene: TencentLabel;
  Label: TencentLabel;
  SubLabel: string;
  /** 0–100. */
  Score: number;
  Suggestion: TencentSuggestion;
}

/** The moderation part of event 317; spread it into `buildPornDetectionEvent`'s facts. */
export interface TencentVerdict {
  label: TencentLabel;
  subLabel: string;
  /** Score of `label`, 0–100. */
  score: number;
  suggestion: TencentSuggestion;
  labelResults: TencentLabelResult[];
}

const toPercent = (p: number) => Math.min(100, Math.max(0, p * 100));

/**
 * Maps nsfwjs classes onto Tencent's 317 fields: Porn + Hentai → `Porn`, Sexy → `Sexy`,
 * Neutral + Drawing → `Normal`. Porn at or above `thresholds.porn` is `Block`; otherwise Sexy at
 * or above `thresholds.sexy` is `Review`; otherwise `Pass`. A threshold of 0 therefore makes
 * every image a hit. Scores are not rounded here; `buildPornDetectionEvent` rounds them.
 *
 * Labels as Tencent 267/38084 writes them: a scene that passed is `Label: "Normal"` with no
 * sub-label; a porn hit is `Porn` / `PornHigh` (Tencent's sub-label of a certain porn hit; drawn
 * porn too, since Tencent documents no separate one); a sexy hit has no documented sub-label.
 *
 * @example
 * const verdict = mapToTencent(scores);            // { label: "Normal", suggestion: "Pass", … }
 * buildPornDetectionEvent({ ...streamFacts, ...verdict });
 */
export function mapToTencent(
  scores: Scores,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): TencentVerdict {
  for (const key of ["porn", "sexy"] as const) {
    const value = thresholds[key];
    if (!Number.isFinite(value) || value < 0 || value > 100) {
      throw new ModerationError(
        "ONAIR_ERR_MODERATION_BAD_OPTION",
        `thresholds.${key} must be 0–100`,
      );
    }
  }
  const porn = toPercent(scores.Porn + scores.Hentai);
  const sexy = toPercent(scores.Sexy);
  const normal = toPercent(scores.Neutral + scores.Drawing);
  const pornHit = porn >= thresholds.porn;
  const sexyHit = sexy >= thresholds.sexy;
  const pornSubLabel = pornHit ? "PornHigh" : "";

  const labelResults: TencentLabelResult[] = [
    {
      Scene: "Porn",
      Label: pornHit ? "Porn" : "Normal",
      SubLabel: pornSubLabel,
      Score: porn,
      Suggestion: pornHit ? "Block" : "Pass",
    },
    {
      Scene: "Sexy",
      Label: sexyHit ? "Sexy" : "Normal",
      SubLabel: "",
      Score: sexy,
      Suggestion: sexyHit ? "Review" : "Pass",
    },
    { Scene: "Normal", Label: "Normal", SubLabel: "", Score: normal, Suggestion: "Pass" },
  ];
  if (pornHit) {
    return {
      label: "Porn",
      subLabel: pornSubLabel,
      score: porn,
      suggestion: "Block",
      labelResults,
    };
  }
  if (sexyHit) {
    return { label: "Sexy", subLabel: "", score: sexy, suggestion: "Review", labelResults };
  }
  return { label: "Normal", subLabel: "", score: normal, suggestion: "Pass", labelResults };
}

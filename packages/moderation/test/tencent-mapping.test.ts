import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_THRESHOLDS, ModerationError, mapToTencent, type Scores } from "../src/index.js";

const scores = (partial: Partial<Scores>): Scores => ({
  Drawing: 0,
  Hentai: 0,
  Neutral: 0,
  Porn: 0,
  Sexy: 0,
  ...partial,
});

describe("mapToTencent", () => {
  it("passes a neutral image as Normal with the Normal score", () => {
    const verdict = mapToTencent(scores({ Neutral: 0.9, Drawing: 0.05, Sexy: 0.05 }));
    assert.equal(verdict.label, "Normal");
    assert.equal(verdict.suggestion, "Pass");
    assert.ok(Math.abs(verdict.score - 95) < 1e-9);
    // Tencent 267/38084: a scene that passed is labelled Normal, with no sub-label.
    assert.deepEqual(
      verdict.labelResults.map((r) => [r.Scene, r.Label, r.SubLabel, r.Suggestion]),
      [
        ["Porn", "Normal", "", "Pass"],
        ["Sexy", "Normal", "", "Pass"],
        ["Normal", "Normal", "", "Pass"],
      ],
    );
  });

  it("adds Porn and Hentai together and blocks at the porn threshold", () => {
    const verdict = mapToTencent(scores({ Porn: 0.3, Hentai: 0.45, Neutral: 0.25 }));
    assert.equal(verdict.label, "Porn");
    // Tencent's sub-label of a porn hit (267/38084), drawn porn included.
    assert.equal(verdict.subLabel, "PornHigh");
    assert.equal(verdict.labelResults[0]?.SubLabel, "PornHigh");
    assert.equal(verdict.suggestion, "Block");
    assert.ok(Math.abs(verdict.score - 75) < 1e-9);
    assert.equal(verdict.labelResults[0]?.Suggestion, "Block");
  });

  it("sends Sexy to review, and a porn hit wins over a sexy hit", () => {
    assert.equal(mapToTencent(scores({ Sexy: 0.9, Neutral: 0.1 })).suggestion, "Review");
    assert.equal(mapToTencent(scores({ Sexy: 0.9, Neutral: 0.1 })).label, "Sexy");
    const both = mapToTencent(scores({ Sexy: 0.5, Porn: 0.5 }), { porn: 40, sexy: 40 });
    assert.deepEqual([both.label, both.suggestion], ["Porn", "Block"]);
  });

  it("treats a threshold of 0 as 'everything is a hit'", () => {
    assert.equal(mapToTencent(scores({ Neutral: 1 }), { porn: 0, sexy: 0 }).suggestion, "Block");
    assert.equal(mapToTencent(scores({ Neutral: 1 }), { porn: 100, sexy: 0 }).suggestion, "Review");
  });

  it("clamps scores to 0–100 even when probabilities sum past 1", () => {
    const verdict = mapToTencent(scores({ Porn: 0.7, Hentai: 0.3000001 }));
    assert.equal(verdict.score, 100);
  });

  it("rejects thresholds outside 0–100", () => {
    for (const bad of [-1, 101, Number.NaN]) {
      assert.throws(
        () => mapToTencent(scores({ Neutral: 1 }), { ...DEFAULT_THRESHOLDS, porn: bad }),
        (err: unknown) =>
          err instanceof ModerationError && err.code === "ONAIR_ERR_MODERATION_BAD_OPTION",
      );
    }
  });
});

import { InvalidArgumentError } from "commander";

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * A push URL's expiry as Unix seconds, from a duration after `nowMs` (`90m`, `2h`, `7d`), an ISO
 * time (`2025-01-01T00:00:00Z`) or Unix seconds (`1546064025`).
 *
 * @example
 * parseExpiry("2h", Date.UTC(2025, 0, 1)) // 1735696800
 */
export function parseExpiry(value: string, nowMs: number): number {
  const text = value.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(text);
  if (duration) {
    const unit = UNIT_SECONDS[duration[2]!.toLowerCase()]!;
    return Math.floor(nowMs / 1000 + Number(duration[1]) * unit);
  }
  if (/^\d+$/.test(text)) {
    // A bare number below 10^9 (before 2001) is almost certainly a duration missing its unit.
    if (text.length < 10)
      throw new InvalidArgumentError(
        `"${value}" is not a Unix time; for a duration add a unit (${text}s, 2h, 7d)`,
      );
    return Number(text);
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at))
    throw new InvalidArgumentError(
      `"${value}" is not a duration (2h, 30m, 7d), an ISO time or Unix seconds`,
    );
  return Math.floor(at / 1000);
}

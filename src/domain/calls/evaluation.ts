/**
 * Difference-in-differences for a pilot: how much a measure changed in the area that went live, less
 * how much it changed over the same months in areas not yet live (which takes out the season, and
 * anything else that moved every area at once).
 *
 * Each month gives one observation, the pilot's figure minus the comparison areas' figure. The estimate
 * is the mean of those gaps after go-live less their mean before; its 95% interval comes from the
 * month-to-month spread of the gaps (Welch's t interval for a difference of two means, with the
 * Welch–Satterthwaite degrees of freedom). Counting months rather than calls is deliberate: calls in one
 * month are not independent of each other (one short rota moves thousands), so an interval from call
 * counts would be far too narrow.
 */

export interface MonthPair {
  readonly month: string;
  /** The pilot area's figure that month (a percentage). */
  readonly pilot: number;
  /** The comparison areas' figure that month, taken together. */
  readonly comparison: number;
}

export interface DidEstimate {
  readonly pilotBefore: number;
  readonly pilotAfter: number;
  readonly comparisonBefore: number;
  readonly comparisonAfter: number;
  /** (pilot after − pilot before) − (comparison after − comparison before), in points. */
  readonly difference: number;
  /** The 95% interval of the difference; null with fewer than two months on either side. */
  readonly low: number | null;
  readonly high: number | null;
  readonly monthsBefore: number;
  readonly monthsAfter: number;
}

// Student's t, 97.5th percentile, for 1 to 30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95% critical value of Student's t; fractional degrees of freedom round down (wider). */
export function tCritical95(df: number): number {
  if (!(df >= 1)) throw new RangeError('degrees of freedom must be at least 1');
  const whole = Math.floor(df);
  if (whole <= T975.length) return T975[whole - 1] ?? 1.96;
  if (whole <= 60) return 2.0;
  if (whole <= 120) return 1.98;
  return 1.96;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: readonly number[]) => {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/** The estimate from months before go-live and months after; null when either side has no month. */
export function differenceInDifferences(
  before: readonly MonthPair[],
  after: readonly MonthPair[],
): DidEstimate | null {
  if (before.length === 0 || after.length === 0) return null;
  const gapsBefore = before.map((m) => m.pilot - m.comparison);
  const gapsAfter = after.map((m) => m.pilot - m.comparison);
  const difference = mean(gapsAfter) - mean(gapsBefore);
  let low: number | null = null;
  let high: number | null = null;
  if (before.length >= 2 && after.length >= 2) {
    const a = variance(gapsAfter) / after.length;
    const b = variance(gapsBefore) / before.length;
    const se = Math.sqrt(a + b);
    if (se === 0) {
      low = difference;
      high = difference;
    } else {
      const df = (a + b) ** 2 / (a ** 2 / (after.length - 1) + b ** 2 / (before.length - 1));
      const half = tCritical95(df) * se;
      low = difference - half;
      high = difference + half;
    }
  }
  return {
    pilotBefore: mean(before.map((m) => m.pilot)),
    pilotAfter: mean(after.map((m) => m.pilot)),
    comparisonBefore: mean(before.map((m) => m.comparison)),
    comparisonAfter: mean(after.map((m) => m.comparison)),
    difference,
    low,
    high,
    monthsBefore: before.length,
    monthsAfter: after.length,
  };
}

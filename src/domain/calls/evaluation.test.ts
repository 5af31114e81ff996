import { describe, expect, it } from 'vitest';
import { differenceInDifferences, tCritical95 } from './evaluation';

const months = (pilot: number[], comparison: number[]) =>
  pilot.map((p, i) => ({ month: `m${i}`, pilot: p, comparison: comparison[i] ?? 0 }));

describe('difference-in-differences', () => {
  it('takes out a change every area shared (the season) and keeps the pilot’s own', () => {
    // Everyone rises 5 points after; the pilot rises 3 more.
    const before = months([50, 51, 49], [40, 41, 39]);
    const after = months([58, 59, 57], [45, 46, 44]);
    const d = differenceInDifferences(before, after);
    expect(d?.difference).toBeCloseTo(3, 10);
    expect(d?.pilotAfter).toBeCloseTo(58, 10);
    expect(d?.comparisonBefore).toBeCloseTo(40, 10);
    // The gaps are constant within each side, so the interval has no width.
    expect(d?.low).toBeCloseTo(3, 10);
    expect(d?.high).toBeCloseTo(3, 10);
  });

  it('states a Welch interval from the month-to-month spread of the gaps', () => {
    const before = months([10, 12, 14, 12], [10, 10, 10, 10]); // gaps 0 2 4 2: mean 2, var 8/3
    const after = months([15, 13, 17, 15], [10, 10, 10, 10]); // gaps 5 3 7 5: mean 5, var 8/3
    const d = differenceInDifferences(before, after);
    expect(d?.difference).toBeCloseTo(3, 10);
    const se = Math.sqrt((8 / 3 / 4) * 2);
    // Equal variances and sizes: Welch df = 6.
    expect(d?.high).toBeCloseTo(3 + 2.447 * se, 6);
    expect(d?.low).toBeCloseTo(3 - 2.447 * se, 6);
    expect((d?.low ?? 0) < 0).toBe(false);
  });

  it('gives no interval with a single month on a side, and nothing with none', () => {
    const one = differenceInDifferences(months([1], [0]), months([3, 4], [0, 0]));
    expect(one?.difference).toBeCloseTo(2.5, 10);
    expect(one?.low).toBeNull();
    expect(differenceInDifferences([], months([1], [0]))).toBeNull();
  });

  it('reads Student’s t at 95%, rounding fractional degrees of freedom down', () => {
    expect(tCritical95(1)).toBeCloseTo(12.706, 3);
    expect(tCritical95(10.9)).toBeCloseTo(2.228, 3);
    expect(tCritical95(1000)).toBe(1.96);
    expect(() => tCritical95(0.5)).toThrow(RangeError);
  });
});

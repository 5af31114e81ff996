import { describe, expect, it } from 'vitest';
import { callKpis } from '../domain/calls/index';
import { capacityPlan, DEFAULT_ASSUMPTIONS } from './capacity';
import { expectedCallsByHour } from './demand';
import { agentsNeeded, probabilityOfWait, staffingFor } from './erlang';
import { simulateQueue } from './simulate';

/** Erlang C straight from its textbook formula with factorials: an independent check for small N. */
function erlangCDirect(n: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < n; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const top = ((term * a) / n) * (n / (n - a));
  return top / (sum + top);
}

describe('Erlang C', () => {
  it.each([
    [11, 10],
    [12, 10],
    [5, 2.5],
    [30, 25],
  ])('matches the textbook formula for %i agents and %f Erlangs', (n, a) => {
    expect(probabilityOfWait(n, a)).toBeCloseTo(erlangCDirect(n, a), 10);
  });

  it('says everyone waits when there are no more agents than Erlangs', () => {
    expect(probabilityOfWait(10, 10)).toBe(1);
  });

  it('finds the fewest agents: N meets 95% in 60 s, N − 1 does not', () => {
    const q = { callsPerHour: 360, handleSeconds: 600, serviceLevel: 0.95, withinSeconds: 60 };
    const s = agentsNeeded(q);
    expect(s.serviceLevel).toBeGreaterThanOrEqual(0.95);
    expect(staffingFor(s.agents - 1, q).serviceLevel).toBeLessThan(0.95);
    expect(s.erlangs).toBe(60);
  });

  it('needs no one for no calls, and refuses nonsense', () => {
    expect(
      agentsNeeded({ callsPerHour: 0, handleSeconds: 600, serviceLevel: 0.95, withinSeconds: 60 }).agents,
    ).toBe(0);
    expect(() =>
      agentsNeeded({ callsPerHour: 10, handleSeconds: 0, serviceLevel: 0.95, withinSeconds: 60 }),
    ).toThrow(RangeError);
    expect(() =>
      agentsNeeded({ callsPerHour: 10, handleSeconds: 60, serviceLevel: 1.5, withinSeconds: 60 }),
    ).toThrow(RangeError);
  });
});

describe('the demand model', () => {
  it('gives England about 12 million calls a year', () => {
    const weekday = expectedCallsByHour(53_000_000, 'weekday').reduce((a, b) => a + b, 0);
    const weekend = expectedCallsByHour(53_000_000, 'weekend_or_bank_holiday').reduce((a, b) => a + b, 0);
    expect(250 * weekday + 115 * weekend).toBeCloseTo(12_000_000, -3);
    expect(weekend).toBeGreaterThan(1.8 * weekday);
  });
});

describe('the queue simulation agrees with Erlang C', () => {
  it('staffed by Erlang C for 95% in 60 s, a simulated day meets it within a few points', () => {
    const q = { callsPerHour: 240, handleSeconds: 480, serviceLevel: 0.95, withinSeconds: 60 };
    const s = agentsNeeded(q);
    const calls = simulateQueue({
      callsByHour: Array(24).fill(240),
      advisersByHour: Array(24).fill(s.agents),
      handleSeconds: 480,
      patienceSeconds: 1e9,
      start: new Date('2012-03-03T00:00:00Z'),
      seed: 7,
    });
    const k = callKpis(calls);
    expect(k.offered).toBeGreaterThan(5000);
    expect(k.abandoned).toBe(0);
    expect(k.answeredWithin60sPercent).toBeGreaterThan(100 * s.serviceLevel - 3);
    expect(k.answeredWithin60sPercent).toBeLessThan(100);
  });

  it('understaffed, callers abandon and the target is missed', () => {
    const calls = simulateQueue({
      callsByHour: Array(6).fill(240),
      advisersByHour: Array(6).fill(25),
      handleSeconds: 480,
      patienceSeconds: 120,
      start: new Date('2012-03-03T00:00:00Z'),
      seed: 7,
    });
    const k = callKpis(calls);
    expect(k.abandonedAfter30sPercent).toBeGreaterThan(5);
    expect(k.answeredWithin60sPercent).toBeLessThan(95);
  });

  it('is deterministic for a seed', () => {
    const run = () =>
      simulateQueue({
        callsByHour: [100],
        advisersByHour: [10],
        handleSeconds: 300,
        patienceSeconds: 90,
        start: new Date(0),
        seed: 3,
      });
    expect(run()).toEqual(run());
  });
});

describe('capacity plan', () => {
  it('staffs Luton (about 213,000 people) more at a weekend evening than a weekday small hours', () => {
    const weekday = capacityPlan(212_927, 'weekday');
    const weekend = capacityPlan(212_927, 'weekend_or_bank_holiday');
    expect(weekday).toHaveLength(24);
    expect(weekend[10]!.advisers).toBeGreaterThan(weekday[4]!.advisers);
    for (const h of [...weekday, ...weekend]) {
      expect(h.adviserServiceLevel).toBeGreaterThanOrEqual(h.calls > 0 ? 0.95 : 0);
      expect(h.rosteredAdvisers).toBeGreaterThanOrEqual(
        Math.ceil(h.advisers / (1 - DEFAULT_ASSUMPTIONS.shrinkage)),
      );
    }
  });
});

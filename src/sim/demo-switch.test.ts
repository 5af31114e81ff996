import { describe, expect, it } from 'vitest';
import { seededRandom } from '../domain/random';
import { arrivalsInTick, callsPerHourAt, demoCallerNumber } from './demo-switch';

describe('the simulated switch', () => {
  it('offers calls at the demand model’s rate for the hour: an evening is busier than 4 in the morning', () => {
    const evening = new Date('2012-03-06T19:00:00Z');
    const night = new Date('2012-03-06T04:00:00Z');
    expect(callsPerHourAt(200_000, evening)).toBeGreaterThan(4 * callsPerHourAt(200_000, night));
  });

  it('draws about the expected number of arrivals over many ticks', () => {
    const random = seededRandom(7);
    const at = new Date('2012-03-06T19:00:00Z');
    const ticks = 100_000;
    let total = 0;
    for (let i = 0; i < ticks; i++) total += arrivalsInTick(200_000, at, 5_000, 10, random);
    const expected = (callsPerHourAt(200_000, at) * 10 * 5_000 * ticks) / 3_600_000;
    expect(Math.abs(total - expected) / expected).toBeLessThan(0.03);
  });

  it('presents made-up numbers from the drama range, sometimes withheld', () => {
    const random = seededRandom(3);
    const numbers = Array.from({ length: 200 }, () => demoCallerNumber(random));
    expect(numbers.every((n) => n === 'withheld' || /^01632 \d{6}$/.test(n))).toBe(true);
    expect(numbers).toContain('withheld');
  });
});

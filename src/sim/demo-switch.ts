import { expectedCallsOnDay } from './demand';

/** A demo area the simulated switch offers calls for, with the population its demand comes from. */
export interface SwitchArea {
  readonly areaCode: string;
  readonly population: number;
}

/** Calls an hour the demand model expects for an area at an instant (its hour of the day, its weekday). */
export function callsPerHourAt(population: number, at: Date): number {
  return expectedCallsOnDay(population, at, false)[at.getUTCHours()] ?? 0;
}

/**
 * How many calls arrive in the next `tickMs` for an area: a Poisson draw at the demand model's rate
 * for the time of day, times `speed` (1 is real time; a demonstration may run faster).
 */
export function arrivalsInTick(
  population: number,
  at: Date,
  tickMs: number,
  speed: number,
  random: () => number,
): number {
  const mean = (callsPerHourAt(population, at) * speed * tickMs) / 3_600_000;
  // Knuth's method: fine for the small means of one tick.
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit && k < 1000) {
    k++;
    p *= random();
  }
  return k;
}

/** A caller's number as a demo switch presents it: a made-up UK geographic number, or withheld. */
export function demoCallerNumber(random: () => number): string {
  if (random() < 0.1) return 'withheld';
  const n = Math.floor(random() * 1_000_000)
    .toString()
    .padStart(6, '0');
  return `01632 ${n}`;
}

import TinyQueue from 'tinyqueue';
import type { Call } from '../domain/calls/index';
import { seededRandom } from '../domain/random';

const exponential = (random: () => number, mean: number) => -Math.log(1 - random()) * mean;

export interface QueueSimulation {
  /** Expected calls in each hour, from `start`. */
  readonly callsByHour: readonly number[];
  /** Advisers on duty in each hour (same length as callsByHour). */
  readonly advisersByHour: readonly number[];
  readonly handleSeconds: number;
  /** Mean time a caller will wait before hanging up. */
  readonly patienceSeconds: number;
  readonly start: Date;
  readonly seed: number;
}

/**
 * A discrete-event simulation of one 111 queue: Poisson arrivals hour by hour, exponential handling,
 * callers who hang up when their patience runs out, first come first served. It writes calls with the
 * same timestamps a real switch records, so the KPIs of a plan are computed by the same code as the
 * KPIs of real calls. Advisers coming off duty finish their call in hand.
 */
export function simulateQueue(sim: QueueSimulation): Call[] {
  if (sim.callsByHour.length !== sim.advisersByHour.length)
    throw new RangeError('one adviser count per hour is needed');
  const random = seededRandom(sim.seed);
  const t0 = sim.start.getTime();
  const calls: Call[] = [];
  // Each entry: the time (ms) an adviser is next free.
  const free = new TinyQueue<number>([], (a, b) => a - b);
  let onDuty = 0;
  let n = 0;
  for (let hour = 0; hour < sim.callsByHour.length; hour++) {
    const hourStart = t0 + hour * 3_600_000;
    const target = sim.advisersByHour[hour] ?? 0;
    // Shift change at the top of the hour: add free advisers, or stand down the ones free soonest.
    while (onDuty < target) {
      free.push(hourStart);
      onDuty++;
    }
    while (onDuty > target && free.length > 0) {
      free.pop();
      onDuty--;
    }
    const rate = (sim.callsByHour[hour] ?? 0) / 3_600_000;
    if (rate <= 0) continue;
    let t = hourStart + exponential(random, 1 / rate);
    while (t < hourStart + 3_600_000) {
      const id = `sim-${sim.seed}-${n++}`;
      const patience = exponential(random, sim.patienceSeconds * 1000);
      const handle = exponential(random, sim.handleSeconds * 1000);
      const nextFree = free.peek();
      const startAt = nextFree === undefined ? Number.POSITIVE_INFINITY : Math.max(t, nextFree);
      const offeredAt = new Date(t);
      if (startAt - t > patience) {
        calls.push({
          id,
          status: 'abandoned',
          offeredAt,
          answeredAt: null,
          abandonedAt: new Date(t + patience),
          transferredAt: null,
          endedAt: null,
        });
      } else {
        free.pop();
        free.push(startAt + handle);
        calls.push({
          id,
          status: 'ended',
          offeredAt,
          answeredAt: new Date(startAt),
          abandonedAt: null,
          transferredAt: null,
          endedAt: new Date(startAt + handle),
        });
      }
      t += exponential(random, 1 / rate);
    }
  }
  return calls;
}

import { capacityPlan } from './capacity';
import type { DayType } from './demand';
import { simulateQueue } from './simulate';

export interface DemoCallArea {
  readonly areaCode: string;
  readonly providerCode: string;
  readonly population: number;
}

/** The demo's week of call history: Monday 5 to Sunday 11 March 2012. */
export const DEMO_WEEK_START = new Date('2012-03-05T00:00:00Z');

/**
 * A week of simulated calls for an area, staffed to its Erlang C plan except on Saturday morning,
 * when the rota is a third short, as happens, so the demo's dashboards show a missed target too.
 */
export function demoWeekOfCalls(area: DemoCallArea, seed: number) {
  const callsByHour: number[] = [];
  const advisersByHour: number[] = [];
  for (let d = 0; d < 7; d++) {
    const day: DayType = d >= 5 ? 'weekend_or_bank_holiday' : 'weekday';
    for (const h of capacityPlan(area.population, day)) {
      callsByHour.push(h.calls);
      const short = d === 5 && h.hour >= 8 && h.hour < 13;
      advisersByHour.push(short ? Math.max(1, Math.floor((h.advisers * 2) / 3)) : h.advisers);
    }
  }
  return simulateQueue({
    callsByHour,
    advisersByHour,
    handleSeconds: 600,
    patienceSeconds: 240,
    start: DEMO_WEEK_START,
    seed,
  }).map((c) => ({
    ...c,
    id: `DEMO-${area.areaCode}-${c.id.split('-').at(-1)}`,
    areaCode: area.areaCode,
    providerCode: area.providerCode,
  }));
}

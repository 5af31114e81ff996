import { describe, expect, it } from 'vitest';
import { compiledOpeningsHeld, compileOpening } from './opening';
import type { OpeningTimes } from './types';

const timetable = (closesAt: number): OpeningTimes => ({
  alwaysOpen: false,
  weekly: { mon: [{ open: '08:00', close: `${String(closesAt).padStart(2, '0')}:00` }] },
  bankHolidays: [],
  specifiedDates: [],
});

describe('compiled timetables', () => {
  it('are held once each, however many services and searches use them', () => {
    const before = compiledOpeningsHeld();
    const ids = new Set<number>();
    // 10 distinct timetables, compiled 100 times each (a directory reloaded 100 times).
    for (let round = 0; round < 100; round++)
      for (let h = 12; h < 22; h++) ids.add(compileOpening(timetable(h)).id);
    expect(ids.size).toBe(10);
    expect(compiledOpeningsHeld() - before).toBeLessThanOrEqual(10);
  });
});

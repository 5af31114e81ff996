import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bankHolidays,
  fromLondon,
  isBankHoliday,
  londonOffsetMinutes,
  toLondon,
  YEARS_KEPT,
  yearsHeld,
} from './london-time';

const intl = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function intlLondon(ms: number): { date: string; minuteOfDay: number } {
  const p = Object.fromEntries(intl.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minuteOfDay: Number(p.hour) * 60 + Number(p.minute) };
}

describe('Europe/London time', () => {
  it('agrees with the time-zone database for any instant 1997–2037', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1997, 0, 1), max: Date.UTC(2037, 11, 31) }), (ms) => {
        const ours = toLondon(ms);
        expect({ date: ours.date, minuteOfDay: ours.minuteOfDay }).toEqual(intlLondon(ms));
      }),
      { numRuns: 2000 },
    );
  });

  it('changes at 01:00 UTC on the last Sundays of March and October', () => {
    expect(londonOffsetMinutes(Date.parse('2012-03-25T00:59:59Z'))).toBe(0);
    expect(londonOffsetMinutes(Date.parse('2012-03-25T01:00:00Z'))).toBe(60);
    expect(londonOffsetMinutes(Date.parse('2012-10-28T00:59:59Z'))).toBe(60);
    expect(londonOffsetMinutes(Date.parse('2012-10-28T01:00:00Z'))).toBe(0);
  });

  it('maps wall-clock times back, moving the spring gap forward and taking BST in the autumn overlap', () => {
    expect(new Date(fromLondon('2012-03-25', 90)).toISOString()).toBe('2012-03-25T01:30:00.000Z'); // 01:30 does not exist
    expect(new Date(fromLondon('2012-03-25', 180)).toISOString()).toBe('2012-03-25T02:00:00.000Z'); // 03:00 BST
    expect(new Date(fromLondon('2012-10-28', 90)).toISOString()).toBe('2012-10-28T00:30:00.000Z'); // first 01:30
    expect(new Date(fromLondon('2012-10-28', 180)).toISOString()).toBe('2012-10-28T03:00:00.000Z');
    expect(new Date(fromLondon('2012-01-09', 600)).toISOString()).toBe('2012-01-09T10:00:00.000Z');
  });

  it('knows England and Wales bank holidays, with substitute days', () => {
    expect(isBankHoliday('2012-08-27')).toBe(true);
    expect(isBankHoliday('2012-12-26')).toBe(true);
    expect(isBankHoliday('2011-12-27')).toBe(true); // Christmas 2011 fell on a Sunday
    expect(isBankHoliday('2011-12-25')).toBe(false);
    expect(isBankHoliday('2012-09-03')).toBe(false);
    expect(bankHolidays(2013).size).toBe(8);
  });

  it('moves the Spring bank holiday for the jubilees as proclaimed (4 June 2012, not 28 May)', () => {
    expect(isBankHoliday('2012-05-28')).toBe(false);
    expect(isBankHoliday('2012-06-04')).toBe(true);
    expect(isBankHoliday('2012-06-05')).toBe(true); // the Diamond Jubilee holiday itself
    expect(bankHolidays(2012).size).toBe(9);
    expect(isBankHoliday('2002-05-27')).toBe(false);
    expect(isBankHoliday('2002-06-03')).toBe(true);
    expect(isBankHoliday('2002-06-04')).toBe(true);
    expect(isBankHoliday('2022-06-02')).toBe(true); // the library already has 2022's move
    expect(isBankHoliday('2022-05-30')).toBe(false);
  });

  it('keeps at most so many years however many searches ask about, and still answers right', () => {
    // A search's `at` is whatever year the caller sends: ten times as many years as are kept.
    for (let year = 1900; year < 1900 + 10 * YEARS_KEPT; year++) {
      londonOffsetMinutes(Date.UTC(year, 6, 1));
      isBankHoliday(`${year}-12-25`);
    }
    expect(yearsHeld().bst).toBeLessThanOrEqual(YEARS_KEPT);
    expect(yearsHeld().bankHolidays).toBeLessThanOrEqual(YEARS_KEPT);
    // 2012 was forgotten on the way: worked out again, the same.
    expect(londonOffsetMinutes(Date.UTC(2012, 6, 1))).toBe(60);
    expect(bankHolidays(2012).has('2012-06-04')).toBe(true);
    expect(yearsHeld().bankHolidays).toBeLessThanOrEqual(YEARS_KEPT);
  });
});

import Holidays from 'date-holidays';
import { BoundedMap } from '../bounded-map';
import { WEEKDAYS, type Weekday } from './types';

/**
 * Europe/London wall-clock arithmetic without a time-zone database lookup per call: British Summer
 * Time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
 * (the rule in force since 1996; checked against Intl in london-time.test.ts).
 */
const MINUTE = 60_000;
const HOUR = 3_600_000;
export const DAY_MS = 86_400_000;

function lastSundayUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/**
 * Years worked out once and kept, at most this many each: a search's `at` may be any year a caller
 * sends (0000–9999), and a long-running node must not keep every one it was ever asked about.
 */
export const YEARS_KEPT = 64;

const bstCache = new BoundedMap<number, readonly [number, number]>(YEARS_KEPT);
const bstOf = (year: number): readonly [number, number] => [lastSundayUtc(year, 2), lastSundayUtc(year, 9)];
const bstBounds = (year: number): readonly [number, number] => bstCache.get(year, bstOf);

/** Minutes London is ahead of UTC at an instant: 0 (GMT) or 60 (BST). */
export function londonOffsetMinutes(utcMs: number): number {
  const [start, end] = bstBounds(new Date(utcMs).getUTCFullYear());
  return utcMs >= start && utcMs < end ? 60 : 0;
}

export interface LondonDateTime {
  readonly date: string; // YYYY-MM-DD
  readonly weekday: Weekday;
  readonly minuteOfDay: number;
}

export function toLondon(utcMs: number): LondonDateTime {
  const local = new Date(utcMs + londonOffsetMinutes(utcMs) * MINUTE);
  return {
    date: local.toISOString().slice(0, 10),
    weekday: WEEKDAYS[(local.getUTCDay() + 6) % 7] as Weekday,
    minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

/**
 * The instant of a London wall-clock time. In the spring gap (01:00–02:00 does not exist) the time
 * moves forward an hour; in the autumn overlap the first (BST) occurrence is taken.
 */
export function fromLondon(date: string, minuteOfDay: number): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const local = Date.UTC(y, m - 1, d) + minuteOfDay * MINUTE;
  return londonOffsetMinutes(local - HOUR) === 60 ? local - HOUR : local;
}

/** The London date `days` after `date`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7] as Weekday;
}

const holidays = new Holidays('GB', 'ENG');
const bankHolidayCache = new BoundedMap<number, ReadonlySet<string>>(YEARS_KEPT);

/** How many years each cache holds now (for the test that they stay bounded). */
export const yearsHeld = (): { bst: number; bankHolidays: number } => ({
  bst: bstCache.size,
  bankHolidays: bankHolidayCache.size,
});

/**
 * Bank holidays moved by royal proclamation that `date-holidays` (3.x) still lists on their usual day.
 * For the Golden and Diamond Jubilees the Spring bank holiday moved from the last Monday of May to
 * 4 June, beside an extra jubilee holiday (3 June 2002, 5 June 2012). Opening times of services that
 * close on bank holidays depend on it. 2022's Platinum Jubilee move is already right in the library.
 */
const PROCLAIMED_MOVES: readonly { readonly from: string; readonly to: string }[] = [
  { from: '2002-05-27', to: '2002-06-04' },
  { from: '2012-05-28', to: '2012-06-04' },
];
const PROCLAIMED_EXTRA: readonly string[] = ['2002-06-03', '2012-06-05'];

/**
 * England and Wales bank holidays of a year, from `date-holidays`: its public holidays that fall on a
 * weekday (a holiday on a weekend is replaced by the substitute day it also lists), with the
 * proclaimed moves above applied.
 */
export function bankHolidays(year: number): ReadonlySet<string> {
  return bankHolidayCache.get(year, bankHolidaysOf);
}

function bankHolidaysOf(year: number): ReadonlySet<string> {
  const days = new Set(
    holidays
      .getHolidays(year)
      .filter((h) => h.type === 'public')
      .map((h) => h.date.slice(0, 10))
      .filter((d) => {
        const w = weekdayOf(d);
        return w !== 'sat' && w !== 'sun';
      }),
  );
  for (const move of PROCLAIMED_MOVES) {
    if (days.delete(move.from)) days.add(move.to);
  }
  for (const extra of PROCLAIMED_EXTRA) if (extra.startsWith(`${year}-`)) days.add(extra);
  return days;
}

export function isBankHoliday(date: string): boolean {
  return bankHolidays(Number(date.slice(0, 4))).has(date);
}

/** "HH:MM" → minutes after midnight; "24:00" is 1440. */
export function parseClock(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  if (hhmm === '24:00') return 1440;
  return Number.NaN;
}

export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
